import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createDbWith, f, model } from '@forge/core';
import { adapter } from '@forge/adapter-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wireOtel } from '../src/index.js';

const User = model('users', { id: f.id(), email: f.string().unique() });

describe('wireOtel', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('forge-test');
  let db: ReturnType<typeof createDbWith<{ user: typeof User }>>;

  beforeEach(async () => {
    exporter.reset();
    db = createDbWith(adapter, await adapter.connect('sqlite::memory:'), { user: User });
    await db.$migrate();
  });
  afterEach(() => db.$disconnect());

  it('emits one CLIENT span per query with the db and forge attributes', async () => {
    const off = wireOtel(db, { tracer, recordStatement: true, maxStatementLen: 30 });
    await db.user.create({ data: { email: 'a@b.c' } });
    await db.user.findMany({ where: { email: 'a@b.c' } });
    off();
    await db.user.count();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['forge.create', 'forge.findMany']);
    const [, read] = spans;
    expect(read.kind).toBe(SpanKind.CLIENT);
    expect(read.attributes).toMatchObject({
      'db.system': 'sqlite',
      'db.operation': 'select',
      'db.collection.name': 'user',
      'forge.adapter': 'sqlite',
      'forge.model': 'user',
      'forge.row_count': 1,
    });
    expect(typeof read.attributes['forge.duration_ms']).toBe('number');
    expect(String(read.attributes['db.statement']).length).toBeLessThanOrEqual(31);
  });

  it('omits db.statement unless recordStatement is set, and marks failed queries as errors', async () => {
    wireOtel(db, { tracer });
    await db.user.create({ data: { email: 'dup@x' } });
    await expect(db.user.create({ data: { email: 'dup@x' } })).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    const spans = exporter.getFinishedSpans();
    expect(spans[0].attributes['db.statement']).toBeUndefined();
    const failed = spans.find((s) => s.status.code === SpanStatusCode.ERROR)!;
    expect(failed.name).toBe('forge.create');
    expect(failed.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('refuses a missing tracer with a message saying what to pass', () => {
    expect(() => wireOtel(db, {} as never)).toThrow(/needs a tracer/);
  });
});
