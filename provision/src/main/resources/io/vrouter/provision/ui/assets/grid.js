// The services grid: Contrail's columns, row checkboxes, per-row Edit / Delete, expandable details.
// Everything is built with textContent: an entry's values never become markup.
import { FIELDS, label, show, serviceAddress, fabricAddress } from './entries.js';

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') n.textContent = v;
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (v === true) n.setAttribute(k, '');
    else if (v !== false && v != null) n.setAttribute(k, v);
  }
  children.forEach(c => n.append(c));
  return n;
}
export { el };

export class Grid {
  /** handlers: {onEdit(entry, button), onDelete(names, button), onSelection(count)} */
  constructor(doc, handlers) {
    this.body = doc.getElementById('grid-body');
    this.empty = doc.getElementById('empty');
    this.table = doc.getElementById('grid');
    this.selectAll = doc.getElementById('select-all');
    this.handlers = handlers;
    this.selected = new Set();
    this.expanded = new Set();
    this.entries = [];
    this.canWrite = false;
    if (this.selectAll) {
      this.selectAll.addEventListener('change', () => {
        this.selected = new Set(this.selectAll.checked ? this.entries.map(e => e.linklocal_service_name) : []);
        this.render(this.entries, this.canWrite);
      });
    }
  }

  selectedNames() { return [...this.selected]; }

  render(entries, canWrite) {
    this.entries = entries;
    this.canWrite = canWrite;
    const names = new Set(entries.map(e => e.linklocal_service_name));
    this.selected = new Set([...this.selected].filter(n => names.has(n)));
    this.expanded = new Set([...this.expanded].filter(n => names.has(n)));
    const focusedId = document.activeElement && this.body.contains(document.activeElement) ? document.activeElement.id : null;
    this.body.replaceChildren(...entries.flatMap((e, i) => this.rows(e, i)));
    this.empty.hidden = entries.length > 0;
    this.table.hidden = entries.length === 0;
    if (this.selectAll) {
      this.selectAll.checked = entries.length > 0 && this.selected.size === entries.length;
      this.selectAll.indeterminate = this.selected.size > 0 && this.selected.size < entries.length;
    }
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    this.handlers.onSelection(this.selected.size);
  }

  rows(e, i) {
    const name = e.linklocal_service_name;
    const open = this.expanded.has(name);
    const detailsId = 'details-' + i;
    const cells = [];
    if (this.canWrite) {
      cells.push(el('td', {}, el('input', { type: 'checkbox', id: 'select-' + i, class: 'row-select',
        'aria-label': 'Select ' + name, checked: this.selected.has(name),
        onchange: ev => { ev.target.checked ? this.selected.add(name) : this.selected.delete(name); this.render(this.entries, this.canWrite); } })));
    }
    cells.push(el('td', {}, el('button', { type: 'button', id: 'expand-' + i, class: 'link icon expand',
      'aria-expanded': String(open), 'aria-controls': detailsId, 'aria-label': 'Details of ' + name, text: open ? '▾' : '▸',
      onclick: () => { open ? this.expanded.delete(name) : this.expanded.add(name); this.render(this.entries, this.canWrite); } })));
    cells.push(el('td', { class: 'name', text: name }));
    cells.push(el('td', { class: 'mono service-address', text: serviceAddress(e) }));
    cells.push(el('td', { class: 'mono fabric-address', text: fabricAddress(e) }));
    if (this.canWrite) {
      cells.push(el('td', {},
        el('button', { type: 'button', id: 'edit-' + i, class: 'link edit', 'aria-label': 'Edit ' + name, text: 'Edit',
          onclick: ev => this.handlers.onEdit(e, ev.currentTarget) }),
        el('button', { type: 'button', id: 'delete-' + i, class: 'link delete', 'aria-label': 'Delete ' + name, text: 'Delete',
          onclick: ev => this.handlers.onDelete([name], ev.currentTarget) })));
    }
    const row = el('tr', { 'data-name': name }, ...cells);
    if (!open) return [row];
    const dl = el('dl', {});
    FIELDS.forEach(f => dl.append(el('dt', { text: label(f) }), el('dd', { text: show(e, f) })));
    dl.append(el('dt', { text: 'Served by' }),
      el('dd', { text: name.toLowerCase().includes('metadata') ? 'the agent\'s metadata proxy' : 'NAT to the fabric address (TCP and UDP)' }));
    return [row, el('tr', { class: 'details', id: detailsId }, el('td', { colspan: String(cells.length) }, dl))];
  }
}
