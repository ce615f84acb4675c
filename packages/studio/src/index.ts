/** `forge studio`: a local dashboard for the schema, the data and the migrations, served from loopback. */
export { startStudio, isLoopback, refusal, TOKEN_HEADER, type StudioOptions, type StudioServer } from './server.js';
export { StudioApi, type LoadedStudioSchema, type StudioContext } from './api.js';
export { buildWhere, coerce, coerceData, keyWhere, OPERATORS, StudioInputError, uiKind, type FieldErrors, type Filter } from './values.js';
