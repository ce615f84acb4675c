// forge studio: the page. Plain browser JavaScript, no framework, no network beyond this studio's own API.
// Every value from the database reaches the DOM through textContent, never as HTML.
'use strict';
(function () {
  const TOKEN = document.querySelector('meta[name="forge-studio-token"]').getAttribute('content');
  const state = { view: 'data', schema: null, tables: [], model: null, grid: null, sel: { r: 0, c: 0 }, history: [] };

  // ---------- helpers ----------
  function h(tag, attrs, ...kids) {
    const svg = tag.startsWith('svg:');
    const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return el;
  }
  const $ = (sel) => document.querySelector(sel);
  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: Object.assign({ 'x-forge-studio-token': TOKEN }, body !== undefined ? { 'content-type': 'application/json' } : {}),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json();
    if (!res.ok) {
      const e = new Error(data.error || res.statusText);
      e.fields = data.fields || {};
      throw e;
    }
    return data;
  }
  function show(text) {
    return text === null || text === undefined ? '' : typeof text === 'object' ? JSON.stringify(text) : String(text);
  }
  function toast(msg, bad) {
    const t = h('div', { class: 'toast' + (bad ? ' bad' : ''), role: 'status', text: msg });
    $('#toasts').append(t);
    setTimeout(() => t.remove(), bad ? 8000 : 3000);
  }
  const modelOf = (key) => state.schema.models.find((m) => m.key === key);

  // ---------- theme ----------
  function setTheme(t) {
    document.documentElement.dataset.theme = t;
    localStorage.setItem('forge-studio-theme', t);
  }
  setTheme(localStorage.getItem('forge-studio-theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));

  // ---------- shell ----------
  const VIEWS = [
    ['data', 'Data'],
    ['schema', 'Schema'],
    ['migrations', 'Migrations'],
    ['sql', 'SQL'],
  ];
  function shell() {
    const app = $('#app');
    app.textContent = '';
    app.append(
      h('header', { class: 'top' },
        h('span', { class: 'brand', text: 'forge studio' }),
        h('nav', { role: 'tablist' }, VIEWS.map(([v, label], i) => h('button', { role: 'tab', id: `tab-${v}`, 'aria-selected': String(state.view === v), title: `Alt+${i + 1}`, onclick: () => go(v), text: label }))),
        h('span', { class: 'dialect', text: state.schema.dialect }),
        h('button', { id: 'theme', class: 'ghost', title: 'light / dark', onclick: () => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'), text: '◐ theme' }),
      ),
      h('main', { id: 'main' }),
      h('div', { id: 'toasts' }),
    );
  }
  function go(view) {
    state.view = view;
    for (const [v] of VIEWS) $(`#tab-${v}`).setAttribute('aria-selected', String(v === view));
    const main = $('#main');
    main.textContent = '';
    main.className = `view-${view}`;
    ({ data: dataView, schema: schemaView, migrations: migrationsView, sql: sqlView })[view](main);
  }

  // ---------- data ----------
  async function dataView(main) {
    state.tables = await api('GET', '/api/tables');
    const list = h('ul', { class: 'tables', id: 'tables' });
    for (const t of state.tables) {
      const count = t.count === null ? '?' : (t.estimated ? '≈' : '') + Number(t.count).toLocaleString('en');
      list.append(h('li', {}, h('button', { class: 'table-link' + (state.model === t.key ? ' active' : ''), 'data-model': t.key, onclick: () => openModel(t.key, []) }, h('span', { text: t.key }), h('span', { class: 'count', text: count }))));
    }
    main.append(h('aside', { class: 'side' }, h('h2', { text: 'Tables' }), list), h('section', { id: 'grid-area', class: 'grid-area' }, h('p', { class: 'hint', text: 'Pick a table. Keys: arrows move, Enter edits, Esc cancels, / filters, Alt+1…4 switch views.' })));
    if (state.model) openModel(state.model, state.grid ? state.grid.filters : []);
  }

  function openModel(key, filters) {
    state.model = key;
    for (const b of document.querySelectorAll('.table-link')) b.classList.toggle('active', b.dataset.model === key);
    state.grid = { model: key, filters: filters || [], search: '', sort: undefined, skip: 0, take: 50, rows: [], total: 0 };
    state.sel = { r: 0, c: 0 };
    renderGridShell();
    loadRows();
  }

  function renderGridShell() {
    const m = modelOf(state.model);
    const g = state.grid;
    const area = $('#grid-area');
    area.textContent = '';
    const field = h('select', { id: 'f-field', 'aria-label': 'filter field' }, m.columns.map((c) => h('option', { value: c.field, text: c.field })));
    const op = h('select', { id: 'f-op', 'aria-label': 'operator' });
    const valueBox = h('span', { id: 'f-value-box' });
    const syncOps = () => {
      const col = m.columns.find((c) => c.field === field.value);
      op.textContent = '';
      for (const o of col.operators) op.append(h('option', { value: o, text: o }));
      syncValue();
    };
    const syncValue = () => {
      const col = m.columns.find((c) => c.field === field.value);
      valueBox.textContent = '';
      if (op.value === 'isNull' || op.value === 'notNull') return;
      valueBox.append(valueInput(col, '', 'f-value', op.value === 'in' || op.value === 'notIn'));
    };
    field.addEventListener('change', syncOps);
    op.addEventListener('change', syncValue);
    const add = () => {
      const v = $('#f-value');
      g.filters.push({ field: field.value, op: op.value, value: v ? v.value : undefined });
      g.skip = 0;
      renderFilters();
      loadRows();
    };
    const searchable = m.columns.some((c) => c.searchable);
    area.append(
      h('div', { class: 'toolbar' },
        h('h2', { text: m.key }), h('span', { class: 'muted', text: m.table }),
        h('span', { class: 'spacer' }),
        h('button', { onclick: () => insertForm(m), text: '+ Row' }),
        h('button', { onclick: () => exportRows('csv'), text: 'Export CSV' }),
        h('button', { onclick: () => exportRows('json'), text: 'Export JSON' }),
      ),
      h('form', { class: 'filterbar', id: 'filterbar', onsubmit: (e) => { e.preventDefault(); add(); } },
        field, op, valueBox, h('button', { type: 'submit', id: 'f-add', text: 'Add filter' }),
        searchable ? h('input', { id: 'search', type: 'search', placeholder: 'full-text search', onchange: (e) => { g.search = e.target.value; g.skip = 0; loadRows(); } }) : null,
      ),
      h('div', { id: 'filters', class: 'chips' }),
      h('div', { id: 'grid-errors', class: 'errors', role: 'alert' }),
      h('div', { class: 'grid-wrap' }, h('table', { id: 'grid', class: 'grid', tabindex: '0', onkeydown: gridKeys })),
      h('div', { class: 'pager' },
        h('button', { id: 'prev', onclick: () => { g.skip = Math.max(0, g.skip - g.take); loadRows(); }, text: '‹ Prev' }),
        h('span', { id: 'pageinfo' }),
        h('button', { id: 'next', onclick: () => { if (g.skip + g.take < g.total) { g.skip += g.take; loadRows(); } }, text: 'Next ›' }),
      ),
    );
    syncOps();
    renderFilters();
  }

  function renderFilters() {
    const box = $('#filters');
    box.textContent = '';
    state.grid.filters.forEach((f, i) => box.append(h('span', { class: 'chip' }, `${f.field} ${f.op}${f.value !== undefined ? ' ' + f.value : ''}`, h('button', { class: 'ghost', 'aria-label': 'remove filter', onclick: () => { state.grid.filters.splice(i, 1); renderFilters(); loadRows(); }, text: '×' }))));
  }

  function valueInput(col, value, id, list) {
    if (!list && col.ui === 'enum') return h('select', { id }, col.nullable ? h('option', { value: '', text: '' }) : null, col.enumValues.map((v) => h('option', { value: v, text: v, selected: v === value })));
    if (!list && col.ui === 'bool') return h('select', { id }, ['true', 'false'].map((v) => h('option', { value: v, text: v, selected: String(value) === v })));
    return h('input', { id, value: value, placeholder: list ? 'a, b, c' : col.ui, 'aria-label': col.field });
  }

  async function loadRows() {
    const g = state.grid;
    const errs = $('#grid-errors');
    errs.textContent = '';
    try {
      const r = await api('POST', '/api/rows', { model: g.model, filters: g.filters, search: g.search || undefined, sort: g.sort, skip: g.skip, take: g.take });
      g.rows = r.rows;
      g.total = r.total;
      g.estimated = r.estimated;
      renderGrid();
    } catch (e) {
      errs.append(h('p', { text: e.message }), Object.entries(e.fields).map(([k, v]) => h('p', { text: `${k}: ${v}` })));
    }
  }

  function renderGrid() {
    const m = modelOf(state.model);
    const g = state.grid;
    const table = $('#grid');
    table.textContent = '';
    const many = m.relations.filter((r) => r.kind === 'many');
    const head = h('tr', {}, m.columns.map((c) => {
      const dir = g.sort && g.sort.field === c.field ? g.sort.dir : undefined;
      return h('th', { scope: 'col', 'aria-sort': dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined },
        h('button', { class: 'sort', 'data-field': c.field, onclick: () => { g.sort = { field: c.field, dir: dir === 'asc' ? 'desc' : 'asc' }; loadRows(); } },
          c.field, c.primaryKey ? h('span', { class: 'badge', text: 'PK' }) : null, c.references ? h('span', { class: 'badge fk', text: 'FK' }) : null, dir ? (dir === 'asc' ? ' ▲' : ' ▼') : ''));
    }), many.map((r) => h('th', { scope: 'col', class: 'rel', text: `${r.name} ↗` })), h('th', { class: 'actions', text: '' }));
    table.append(h('thead', {}, head));
    const body = h('tbody');
    g.rows.forEach((row, ri) => {
      const tr = h('tr', { 'data-row': ri });
      m.columns.forEach((c, ci) => {
        const td = h('td', { 'data-field': c.field, class: `k-${c.ui}` + (row[c.field] === null ? ' null' : ''), ondblclick: () => { state.sel = { r: ri, c: ci }; editCell(); }, onclick: () => select(ri, ci) });
        td.textContent = row[c.field] === null ? 'null' : show(row[c.field]);
        if (c.references && c.references.model && row[c.field] !== null) {
          const target = modelOf(c.references.model);
          const refField = target.columns.find((x) => x.name === c.references.column) || target.columns.find((x) => x.primaryKey);
          td.append(h('button', { class: 'link', title: `open ${target.key} ${refField.field} = ${row[c.field]}`, 'data-follow': c.field, onclick: (e) => { e.stopPropagation(); openModel(target.key, [{ field: refField.field, op: 'equals', value: String(row[c.field]) }]); }, text: '→' }));
        }
        tr.append(td);
      });
      for (const r of many) {
        const target = modelOf(r.targetModel);
        const mine = r.refs || m.primaryKey[0];
        tr.append(h('td', { class: 'rel' }, h('button', { class: 'link', 'data-follow': r.name, onclick: () => openModel(target.key, [{ field: r.on, op: 'equals', value: String(row[mine]) }]), text: `${r.name} ↗` })));
      }
      tr.append(h('td', { class: 'actions' }, h('button', { class: 'ghost', 'aria-label': 'delete row', title: 'delete row', onclick: () => deleteRow(row), text: '✕' })));
      body.append(tr);
    });
    table.append(body);
    const to = Math.min(g.skip + g.rows.length, g.total);
    $('#pageinfo').textContent = g.total === 0 ? 'no rows' : `${(g.skip + 1).toLocaleString('en')}–${to.toLocaleString('en')} of ${g.estimated ? '≈' : ''}${Number(g.total).toLocaleString('en')}`;
    paintSel();
  }

  function select(r, c) {
    state.sel = { r, c };
    paintSel();
  }
  function paintSel() {
    for (const el of document.querySelectorAll('#grid td.sel')) el.classList.remove('sel');
    const tr = document.querySelector(`#grid tbody tr[data-row="${state.sel.r}"]`);
    if (tr && tr.children[state.sel.c]) tr.children[state.sel.c].classList.add('sel');
  }
  function gridKeys(e) {
    if (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT' || e.target.tagName === 'TEXTAREA') return;
    const m = modelOf(state.model);
    const rows = state.grid.rows.length;
    const s = state.sel;
    const moves = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] };
    if (moves[e.key]) {
      e.preventDefault();
      select(Math.max(0, Math.min(rows - 1, s.r + moves[e.key][0])), Math.max(0, Math.min(m.columns.length - 1, s.c + moves[e.key][1])));
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      editCell();
    } else if (e.key === 'PageDown') $('#next').click();
    else if (e.key === 'PageUp') $('#prev').click();
  }

  function keyOf(m, row) {
    const key = {};
    for (const f of m.primaryKey) key[f] = row[f];
    return key;
  }

  function editCell() {
    const m = modelOf(state.model);
    const row = state.grid.rows[state.sel.r];
    const col = m.columns[state.sel.c];
    if (!row || !col) return;
    if (col.ui === 'json' || col.ui === 'array') return jsonEditor(m, row, col);
    const tr = document.querySelector(`#grid tbody tr[data-row="${state.sel.r}"]`);
    const td = tr.children[state.sel.c];
    const input = valueInput(col, row[col.field] === null ? '' : show(row[col.field]), 'cell-editor');
    input.classList.add('cell-input');
    td.textContent = '';
    td.append(input);
    input.focus();
    const finish = async (save) => {
      if (!save) return renderGrid();
      const raw = input.value;
      const value = raw === '' && col.nullable && col.ui !== 'text' ? null : raw;
      await saveCell(m, row, col, value, td);
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); finish(true); }
      else if (e.key === 'Escape') { e.preventDefault(); finish(false).then(() => $('#grid').focus()); }
    });
  }

  async function saveCell(m, row, col, value, td) {
    try {
      const r = await api('POST', '/api/update', { model: m.key, key: keyOf(m, row), data: { [col.field]: value } });
      Object.assign(row, r.row);
      renderGrid();
      $('#grid').focus();
      toast(`saved ${m.key}.${col.field}`);
    } catch (e) {
      const msg = (e.fields && e.fields[col.field]) || e.message;
      td.classList.add('error');
      td.setAttribute('title', msg);
      const errs = $('#grid-errors');
      errs.textContent = '';
      errs.append(h('p', { class: 'cell-error', text: `${col.field}: ${msg}` }));
    }
  }

  function dialog(title, body, actions) {
    const d = h('dialog', { class: 'dialog' }, h('h3', { text: title }), body, h('div', { class: 'actions' }, actions, h('button', { class: 'ghost', onclick: () => d.close(), text: 'Cancel' })));
    d.addEventListener('close', () => d.remove());
    document.body.append(d);
    d.showModal();
    return d;
  }

  function jsonEditor(m, row, col) {
    const ta = h('textarea', { id: 'json-editor', rows: '14', spellcheck: 'false' });
    ta.value = row[col.field] === null ? '' : JSON.stringify(row[col.field], null, 2);
    const err = h('p', { class: 'errors' });
    const d = dialog(`${m.key}.${col.field} (JSON)`, h('div', {}, ta, err), [
      h('button', { onclick: async () => {
        try {
          const value = ta.value.trim() === '' ? null : ta.value;
          const r = await api('POST', '/api/update', { model: m.key, key: keyOf(m, row), data: { [col.field]: value } });
          Object.assign(row, r.row);
          d.close();
          renderGrid();
        } catch (e) { err.textContent = (e.fields && e.fields[col.field]) || e.message; }
      }, text: 'Save' }),
    ]);
  }

  async function insertForm(m) {
    const inputs = {};
    const errs = {};
    const fields = [];
    for (const c of m.columns) {
      if (c.primaryKey && c.hasDefault) continue;
      let input;
      if (c.references && c.references.model) {
        // A relation picker: the first rows of the target, by key and a label.
        const target = modelOf(c.references.model);
        const r = await api('POST', '/api/rows', { model: target.key, take: 100 });
        const refField = (target.columns.find((x) => x.name === c.references.column) || target.columns.find((x) => x.primaryKey)).field;
        const label = (target.columns.find((x) => x.ui === 'text' && !x.primaryKey) || {}).field;
        input = h('select', { id: `new-${c.field}` }, c.nullable ? h('option', { value: '', text: '' }) : null, r.rows.map((x) => h('option', { value: show(x[refField]), text: label ? `${show(x[refField])} — ${show(x[label])}` : show(x[refField]) })));
      } else input = valueInput(c, '', `new-${c.field}`);
      inputs[c.field] = input;
      errs[c.field] = h('span', { class: 'field-error' });
      fields.push(h('label', {}, h('span', { text: c.field + (c.nullable || c.hasDefault ? '' : ' *') }), input, errs[c.field]));
    }
    const top = h('p', { class: 'errors' });
    const d = dialog(`New ${m.key}`, h('div', { class: 'form' }, fields, top), [
      h('button', { id: 'insert-save', onclick: async () => {
        const data = {};
        for (const [f, el] of Object.entries(inputs)) if (el.value !== '') data[f] = el.value;
        for (const el of Object.values(errs)) el.textContent = '';
        try {
          await api('POST', '/api/insert', { model: m.key, data });
          d.close();
          toast(`inserted into ${m.key}`);
          loadRows();
        } catch (e) {
          top.textContent = e.message;
          for (const [f, msg] of Object.entries(e.fields)) if (errs[f]) errs[f].textContent = msg;
        }
      }, text: 'Insert' }),
    ]);
  }

  async function deleteRow(row) {
    const m = modelOf(state.model);
    if (!confirm(`Delete this ${m.key} row (${JSON.stringify(keyOf(m, row))})?`)) return;
    try {
      await api('POST', '/api/delete', { model: m.key, key: keyOf(m, row) });
      toast(`deleted from ${m.key}`);
      loadRows();
    } catch (e) { toast(e.message, true); }
  }

  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  function csvCell(v) {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }
  function exportRows(kind) {
    const m = modelOf(state.model);
    const rows = state.grid.rows;
    if (kind === 'json') return download(`${m.key}.json`, 'application/json', JSON.stringify(rows, null, 2));
    const fields = m.columns.map((c) => c.field);
    download(`${m.key}.csv`, 'text/csv', [fields.join(','), ...rows.map((r) => fields.map((f) => csvCell(r[f])).join(','))].join('\r\n') + '\r\n');
  }

  // ---------- schema: ERD + drift ----------
  async function schemaView(main) {
    const info = await api('GET', '/api/schema?reload=1');
    state.schema = info;
    const erd = h('section', { class: 'erd-area' }, h('h2', { text: 'Schema' }), drawErd(info.models));
    const drift = h('section', { class: 'drift-area', id: 'drift' }, h('h2', { text: 'Drift' }), h('p', { class: 'muted', text: 'reading the database…' }));
    main.append(erd, drift);
    try {
      const d = await api('GET', '/api/drift');
      drift.textContent = '';
      drift.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Drift' }), h('span', { class: 'spacer' }), h('button', { onclick: () => go('schema'), text: 'Check drift' })));
      if (d.report.inSync) drift.append(h('p', { class: 'ok', id: 'in-sync', text: '✓ the database matches the schema' }));
      else drift.append(h('ul', { class: 'drift-items' }, d.report.items.map((i) => h('li', { class: `d-${i.direction}` }, h('span', { class: 'badge', text: i.direction }), ` ${i.table}: ${i.detail}`))));
      for (const n of d.report.notes || []) drift.append(h('p', { class: 'muted', text: n }));
      if (d.push.statements.length) {
        drift.append(h('h3', { text: 'forge push would run' }), h('pre', { class: 'sql', id: 'push-sql', text: d.push.statements.flatMap((s) => s.sql).join(';\n') + ';' }));
      }
      if (d.push.notes.length) drift.append(h('h3', { text: 'not done by push' }), h('ul', {}, d.push.notes.map((n) => h('li', { text: n }))));
    } catch (e) {
      drift.append(h('p', { class: 'errors', text: e.message }));
    }
  }

  function drawErd(models) {
    const W = 230, ROW = 18, HEAD = 26, GAP_X = 70, GAP_Y = 40;
    const perRow = Math.max(1, Math.ceil(Math.sqrt(models.length)));
    const boxes = new Map();
    let maxH = [];
    models.forEach((m, i) => {
      const col = i % perRow, row = Math.floor(i / perRow);
      const hgt = HEAD + m.columns.length * ROW + 8;
      maxH[row] = Math.max(maxH[row] || 0, hgt);
      boxes.set(m.table, { m, col, row, hgt });
    });
    const rowY = [];
    maxH.reduce((y, hh, i) => { rowY[i] = y; return y + hh + GAP_Y; }, 20);
    for (const b of boxes.values()) { b.x = 20 + b.col * (W + GAP_X); b.y = rowY[b.row]; }
    const width = 40 + perRow * (W + GAP_X);
    const height = rowY[rowY.length - 1] + maxH[maxH.length - 1] + 40;
    const svg = h('svg:svg', { class: 'erd', id: 'erd', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'entity relationship diagram' });
    const lines = h('svg:g', { class: 'links' });
    svg.append(lines);
    for (const b of boxes.values()) {
      const g = h('svg:g', { class: 'entity', 'data-table': b.m.table });
      g.append(h('svg:rect', { x: b.x, y: b.y, width: W, height: b.hgt, rx: 6, class: 'box' }));
      g.append(h('svg:rect', { x: b.x, y: b.y, width: W, height: HEAD, rx: 6, class: 'head' }));
      g.append(h('svg:text', { x: b.x + 10, y: b.y + 17, class: 'title', text: `${b.m.table}${b.m.view ? ' (view)' : ''}` }));
      b.m.columns.forEach((c, i) => {
        const y = b.y + HEAD + 14 + i * ROW;
        g.append(h('svg:text', { x: b.x + 10, y, class: c.primaryKey ? 'col pk' : 'col', text: `${c.primaryKey ? '◆ ' : c.references ? '→ ' : ''}${c.name}` }));
        g.append(h('svg:text', { x: b.x + W - 10, y, class: 'type', 'text-anchor': 'end', text: `${c.kind}${c.nullable ? '?' : ''}` }));
      });
      svg.append(g);
    }
    for (const b of boxes.values()) {
      for (const fk of b.m.foreignKeys) {
        const t = boxes.get(fk.refTable);
        if (!t) continue;
        const ci = b.m.columns.findIndex((c) => c.name === fk.columns[0]);
        const y1 = b.y + HEAD + 10 + ci * ROW;
        const ti = t.m.columns.findIndex((c) => c.name === fk.refColumns[0]);
        const y2 = t.y + HEAD + 10 + Math.max(0, ti) * ROW;
        const leftToRight = b.x <= t.x;
        const x1 = leftToRight ? b.x + W : b.x;
        const x2 = leftToRight ? (b.x === t.x ? t.x + W : t.x) : t.x + W;
        const bend = b.x === t.x ? 50 : (x2 - x1) / 2;
        const c1 = b.x === t.x ? x1 + bend : x1 + bend;
        lines.append(h('svg:path', { class: 'link', 'data-fk': fk.name, d: `M${x1},${y1} C${c1},${y1} ${x2 - (b.x === t.x ? -bend : bend)},${y2} ${x2},${y2}` }));
        lines.append(h('svg:circle', { cx: x2, cy: y2, r: 3.5, class: 'end' }));
      }
    }
    return h('div', { class: 'erd-wrap' }, svg);
  }

  // ---------- migrations ----------
  async function migrationsView(main) {
    const list = h('section', { class: 'mig-list' });
    const side = h('section', { class: 'mig-side', id: 'mig-side' });
    main.append(list, side);
    const m = await api('GET', '/api/migrations');
    list.append(
      h('div', { class: 'toolbar' }, h('h2', { text: 'Migrations' }), h('span', { class: 'spacer' }),
        h('button', { id: 'btn-generate', onclick: () => generatePanel(side), text: 'Generate' }),
        h('button', { id: 'btn-apply', onclick: () => applyPanel(side), text: 'Apply' }),
        h('button', { id: 'btn-rollback', onclick: () => rollbackPanel(side), text: 'Rollback' }),
        h('button', { onclick: () => go('schema'), text: 'Check drift' })),
      h('p', { class: 'muted', text: m.dir }),
    );
    if (m.rows.length === 0) list.append(h('p', { class: 'hint', text: 'No migrations yet: Generate writes the first one.' }));
    else list.append(h('table', { class: 'grid', id: 'migrations' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Migration' }), h('th', { text: 'Status' }), h('th', { text: 'Applied at' }))),
      h('tbody', {}, m.rows.map((r) => h('tr', { class: 'clickable', 'data-name': r.name, tabindex: '0', onclick: () => fileSql(side, r), onkeydown: (e) => { if (e.key === 'Enter') fileSql(side, r); } },
        h('td', { text: r.name }), h('td', {}, h('span', { class: `state s-${r.state}`, text: r.state })), h('td', { text: r.appliedAt || '—' }))))));
  }
  function fileSql(side, r) {
    side.textContent = '';
    side.append(h('h3', { text: r.name }), h('h4', { text: 'up' }), h('pre', { class: 'sql', text: (r.up || []).join(';\n') }), h('h4', { text: 'down' }), h('pre', { class: 'sql', text: (r.down || []).join(';\n') }));
  }
  function findingsList(findings) {
    return h('ul', { class: 'findings' }, findings.map((f) => h('li', {}, h('b', { text: f.code }), ` ${f.text}`, f.rows !== undefined ? ` (${f.rows} rows)` : '', f.fix ? h('div', { class: 'muted', text: `fix: ${f.fix}` }) : null)));
  }
  function warning(findings) {
    return h('div', { class: 'warning', id: 'breaking', role: 'alert' }, h('strong', { text: '⚠ This contains breaking changes' }), findingsList(findings),
      h('p', { text: 'These changes lose data or break code that still uses the old schema. Make sure every running node uses code that does not need them before applying.' }));
  }
  function generatePanel(side) {
    side.textContent = '';
    const name = h('input', { id: 'mig-name', placeholder: 'add_status', 'aria-label': 'migration name' });
    const baseline = h('input', { type: 'checkbox', id: 'mig-baseline' });
    const out = h('div', { id: 'gen-out' });
    side.append(h('h3', { text: 'Generate a migration' }), h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); preview(); } }, name,
      h('label', { class: 'check' }, baseline, ' baseline from the live database (first migration only)'), h('button', { id: 'gen-preview', type: 'submit', text: 'Preview' })), out);
    async function preview() {
      out.textContent = '';
      try {
        const r = await api('POST', '/api/generate', { name: name.value || 'migration', baseline: baseline.checked });
        if (r.upToDate) return out.append(h('p', { class: 'ok', text: '✓ no schema change: every change is covered by a migration' }));
        out.append(h('ul', {}, r.changes.map((c) => h('li', { class: c.destructive ? 'bad' : '', text: c.text }))));
        if (r.breaking.length) out.append(warning(r.breaking));
        out.append(h('pre', { class: 'sql', id: 'gen-sql', text: r.content }));
        out.append(h('div', { class: 'actions' }, h('button', { id: 'gen-write', class: r.breaking.length ? 'danger' : 'primary', onclick: write(r.breaking.length > 0), text: r.breaking.length ? 'Write anyway' : 'Write migration' })));
      } catch (e) { out.append(h('p', { class: 'errors', text: e.message })); }
    }
    const write = (accept) => async () => {
      try {
        const r = await api('POST', '/api/generate', { name: name.value, write: true, accept, baseline: baseline.checked });
        if (r.consentRequired) return out.append(warning(r.breaking));
        toast(`wrote ${r.name}`);
        go('migrations');
      } catch (e) { out.append(h('p', { class: 'errors', text: `${e.message}${e.fields.name ? ` (${e.fields.name})` : ''}` })); }
    };
  }
  async function applyPanel(side) {
    side.textContent = '';
    side.append(h('h3', { text: 'Apply pending migrations' }));
    try {
      const dry = await api('POST', '/api/apply', { dry: true });
      if (dry.pending.length === 0) return side.append(h('p', { class: 'ok', text: '✓ nothing to apply' }));
      side.append(h('p', { text: `would apply: ${dry.pending.join(', ')}` }));
      const risky = dry.breaking;
      if (dry.findings.length) side.append(risky.length ? warning(dry.findings) : h('div', {}, h('p', { class: 'muted', text: 'to review (no rows at risk):' }), findingsList(dry.findings)));
      side.append(h('div', { class: 'actions' }, h('button', { id: 'apply-go', class: risky.length ? 'danger' : 'primary', onclick: () => run(risky.length > 0), text: risky.length ? 'Apply anyway' : 'Apply' })));
    } catch (e) { side.append(h('p', { class: 'errors', text: e.message })); }
    async function run(accept) {
      try {
        const r = await api('POST', '/api/apply', { accept });
        if (r.consentRequired) { side.append(warning(r.breaking), h('button', { class: 'danger', onclick: () => run(true), text: 'Apply anyway' })); return; }
        if (r.failed) { toast(`${r.failed.name}: ${r.failed.error}`, true); return go('migrations'); }
        toast(`applied ${r.applied.map((a) => a.name).join(', ')}`);
        await go('migrations');
      } catch (e) { side.append(h('p', { class: 'errors', text: e.message })); }
    }
  }
  function rollbackPanel(side) {
    side.textContent = '';
    const out = h('div');
    side.append(h('h3', { text: 'Roll back the last migration' }), h('p', { class: 'muted', text: 'Runs its -- down block and removes it from the ledger.' }),
      h('div', { class: 'actions' }, h('button', { id: 'rollback-go', class: 'danger', onclick: () => run(false), text: 'Roll back 1' })), out);
    async function run(accept) {
      out.textContent = '';
      try {
        const r = await api('POST', '/api/rollback', { count: 1, accept });
        if (r.consentRequired) { out.append(warning(r.breaking), h('button', { id: 'rollback-accept', class: 'danger', onclick: () => run(true), text: 'Roll back anyway' })); return; }
        if (r.failed) return out.append(h('p', { class: 'errors', text: `${r.failed.name}: ${r.failed.error}` }));
        toast(`rolled back ${r.reverted.map((x) => x.name).join(', ')}`);
        go('migrations');
      } catch (e) { out.append(h('p', { class: 'errors', text: e.message })); }
    }
  }

  // ---------- SQL console ----------
  function sqlView(main) {
    state.history = JSON.parse(localStorage.getItem('forge-studio-history') || '[]');
    const ta = h('textarea', { id: 'sql-text', rows: '6', spellcheck: 'false', placeholder: state.schema.dialect === 'postgres' ? 'SELECT * FROM users WHERE id = $1' : 'SELECT * FROM users WHERE id = ?' });
    const params = h('input', { id: 'sql-params', placeholder: 'parameters as a JSON array, e.g. [1, "ada"]', 'aria-label': 'parameters' });
    const out = h('div', { id: 'sql-out' });
    const hist = h('ul', { class: 'history', id: 'history' });
    const paintHist = () => {
      hist.textContent = '';
      for (const q of state.history) hist.append(h('li', {}, h('button', { class: 'ghost', onclick: () => { ta.value = q.sql; params.value = q.params; }, text: q.sql })));
    };
    const run = async (accept) => {
      out.textContent = '';
      let p = [];
      try { p = params.value.trim() ? JSON.parse(params.value) : []; } catch (e) { return out.append(h('p', { class: 'errors', text: `parameters: ${e.message}` })); }
      try {
        const r = await api('POST', '/api/sql', { sql: ta.value, params: p, accept });
        if (r.consentRequired) return out.append(warning(r.breaking), h('button', { id: 'sql-accept', class: 'danger', onclick: () => run(true), text: 'Run anyway' }));
        state.history = [{ sql: ta.value, params: params.value }, ...state.history.filter((q) => q.sql !== ta.value)].slice(0, 30);
        localStorage.setItem('forge-studio-history', JSON.stringify(state.history));
        paintHist();
        if (r.kind === 'exec') return out.append(h('p', { class: 'ok', text: `✓ ${r.affected} row(s) affected in ${r.ms} ms` }));
        out.append(h('p', { class: 'muted', text: `${r.rows.length} row(s) in ${r.ms} ms` }),
          h('div', { class: 'grid-wrap' }, h('table', { class: 'grid', id: 'sql-grid' }, h('thead', {}, h('tr', {}, r.columns.map((c) => h('th', { text: c })))),
            h('tbody', {}, r.rows.map((row) => h('tr', {}, r.columns.map((c) => h('td', { class: row[c] === null ? 'null' : '', text: row[c] === null ? 'null' : show(row[c]) }))))))));
      } catch (e) { out.append(h('p', { class: 'errors', text: e.message })); }
    };
    ta.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(false); } });
    main.append(h('section', { class: 'sql-area' }, h('h2', { text: 'SQL console' }), ta, params,
      h('div', { class: 'actions' }, h('button', { id: 'sql-run', class: 'primary', onclick: () => run(false), text: 'Run (Ctrl+Enter)' })), out),
      h('aside', { class: 'side' }, h('h2', { text: 'History' }), hist));
    paintHist();
    ta.focus();
  }

  // ---------- keys + boot ----------
  document.addEventListener('keydown', (e) => {
    if (e.altKey && /^[1-4]$/.test(e.key)) { e.preventDefault(); go(VIEWS[Number(e.key) - 1][0]); }
    else if (e.key === '/' && state.view === 'data' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) && $('#f-field')) { e.preventDefault(); $('#f-field').focus(); }
  });
  (async () => {
    try {
      state.schema = await api('GET', '/api/schema');
      shell();
      go(location.hash === '#schema' || location.hash === '#migrations' || location.hash === '#sql' ? location.hash.slice(1) : 'data');
    } catch (e) {
      $('#app').textContent = `forge studio could not start: ${e.message}`;
    }
  })();
})();
