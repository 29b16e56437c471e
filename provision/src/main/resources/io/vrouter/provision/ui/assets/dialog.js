// The create / edit dialog (Contrail's fields and checks) and the delete confirmation.
// Native <dialog>.showModal(): the rest of the page is inert, so focus stays inside; Escape
// cancels; focus returns to the control that opened it.
import { el } from './grid.js';
import { fromForm } from './entries.js';

const SIMPLE = {
  linklocal_service_name: 'f-name', linklocal_service_ip: 'f-ip', linklocal_service_port: 'f-port',
  ip_fabric_DNS_service_name: 'f-dns', ip_fabric_service_port: 'f-fport',
};

export class EntryDialog {
  constructor(doc) {
    this.doc = doc;
    this.dialog = doc.getElementById('entry-dialog');
    this.form = doc.getElementById('entry-form');
    this.ips = doc.getElementById('f-ips');
    this.formError = doc.getElementById('entry-form-error');
    this.save = doc.getElementById('entry-save');
    this.form.addEventListener('submit', ev => { ev.preventDefault(); this.submit(); });
    doc.getElementById('entry-cancel').addEventListener('click', () => this.close());
    this.dialog.addEventListener('close', () => { if (this.opener && this.opener.isConnected) this.opener.focus(); });
    doc.getElementById('f-ip-add').addEventListener('click', () => { this.addIp(''); this.focusIp(this.ips.children.length - 1); });
    for (const id of ['f-type-ip', 'f-type-dns']) doc.getElementById(id).addEventListener('change', () => this.showType());
  }

  get $() { return id => this.doc.getElementById(id); }

  /**
   * entry: the values to show (null: empty form); editing: true when the name is fixed;
   * onSave(entry): a promise; it rejects with an ApiError whose field errors are shown here.
   */
  open({ entry, editing, opener, onSave, errors }) {
    const $ = this.$;
    this.opener = opener;
    this.onSave = onSave;
    this.editing = editing;
    $('entry-title').textContent = editing ? 'Edit Link Local Service' : 'Create Link Local Service';
    const e = entry || {};
    $('f-name').value = e.linklocal_service_name || '';
    $('f-name').readOnly = !!editing;
    $('f-name').setAttribute('aria-readonly', String(!!editing));
    $('f-ip').value = e.linklocal_service_ip || '';
    $('f-port').value = e.linklocal_service_port == null ? '' : String(e.linklocal_service_port);
    $('f-fport').value = e.ip_fabric_service_port == null ? '' : String(e.ip_fabric_service_port);
    $('f-dns').value = e.ip_fabric_DNS_service_name || '';
    const dns = !!e.ip_fabric_DNS_service_name;
    $('f-type-dns').checked = dns;
    $('f-type-ip').checked = !dns;
    this.ips.replaceChildren();
    const list = Array.isArray(e.ip_fabric_service_ip) && e.ip_fabric_service_ip.length ? e.ip_fabric_service_ip : [''];
    list.forEach(ip => this.addIp(ip));
    this.showType();
    this.clearErrors();
    this.save.disabled = false;
    if (!this.dialog.open) this.dialog.showModal();
    if (errors) this.showErrors(errors.fields, errors.message);
    else (editing ? $('f-ip') : $('f-name')).focus();
  }

  close() { if (this.dialog.open) this.dialog.close(); }

  showType() {
    const dns = this.$('f-type-dns').checked;
    this.$('f-dns-group').hidden = !dns;
    this.$('f-ips-group').hidden = dns;
  }

  addIp(value) {
    const j = this.ips.children.length;
    const input = el('input', { id: 'f-ip-' + j, class: 'fabric-ip', autocomplete: 'off', 'aria-label': 'Fabric IP ' + (j + 1),
      'aria-describedby': 'f-ip-' + j + '-error' });
    input.value = value;
    const remove = el('button', { type: 'button', class: 'icon remove-ip', 'aria-label': 'Remove fabric IP ' + (j + 1), text: '−',
      onclick: () => this.removeIp(j) });
    this.ips.append(el('li', {}, el('div', { class: 'ipcell' }, input, el('p', { id: 'f-ip-' + j + '-error', class: 'error' })), remove));
  }

  removeIp(j) {
    const values = this.ipValues().filter((_, i) => i !== j);
    this.ips.replaceChildren();
    (values.length ? values : ['']).forEach(v => this.addIp(v));
    this.focusIp(Math.min(j, this.ips.children.length - 1));
  }

  focusIp(j) { const n = this.$('f-ip-' + j); if (n) n.focus(); }

  ipValues() { return [...this.ips.querySelectorAll('input.fabric-ip')].map(i => i.value); }

  values() {
    const $ = this.$;
    return { name: $('f-name').value, ip: $('f-ip').value, port: $('f-port').value, fabricPort: $('f-fport').value,
      type: $('f-type-dns').checked ? 'dns' : 'ip', dns: $('f-dns').value, fabricIps: this.ipValues() };
  }

  clearErrors() {
    this.form.querySelectorAll('.error').forEach(p => { p.textContent = ''; });
    this.form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
  }

  /** fields: errors by entry field name (as the API names them, without the entry prefix). */
  showErrors(fields, message) {
    this.clearErrors();
    let first = null;
    const other = [];
    for (const [field, msg] of Object.entries(fields || {})) {
      let input = null; let out = null;
      const m = /^ip_fabric_service_ip\[(\d+)\]$/.exec(field);
      if (SIMPLE[field]) { input = this.$(SIMPLE[field]); out = this.$(SIMPLE[field] + '-error'); }
      else if (m) { input = this.$('f-ip-' + m[1]); out = this.$('f-ip-' + m[1] + '-error'); }
      else if (field === 'ip_fabric_service_ip') { input = this.$('f-ip-0'); out = this.$('f-ips-error'); }
      if (!out) { other.push(msg); continue; }
      out.textContent = msg;
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    }
    const top = [message, ...other].filter(Boolean);
    this.formError.textContent = top.join(' ');
    (first || this.$('entry-save')).focus();
  }

  async submit() {
    const { entry, errors } = fromForm(this.values());
    if (Object.keys(errors).length) {
      this.showErrors(errors, 'Please correct the marked fields.');
      return;
    }
    this.save.disabled = true;
    try {
      await this.onSave(entry);
    } finally {
      this.save.disabled = false;
    }
  }
}

export class ConfirmDialog {
  constructor(doc) {
    this.dialog = doc.getElementById('confirm-dialog');
    this.text = doc.getElementById('confirm-text');
    doc.getElementById('confirm-cancel').addEventListener('click', () => this.finish(false));
    doc.getElementById('confirm-ok').addEventListener('click', () => this.finish(true));
    this.dialog.addEventListener('cancel', () => this.finish(false));
    this.cancelButton = doc.getElementById('confirm-cancel');
  }

  /** Resolves true when the operator confirms. */
  ask(text, opener) {
    this.text.textContent = text;
    this.opener = opener;
    this.dialog.showModal();
    this.cancelButton.focus();
    return new Promise(resolve => { this.resolve = resolve; });
  }

  finish(ok) {
    if (this.dialog.open) this.dialog.close();
    if (this.opener && this.opener.isConnected) this.opener.focus();
    if (this.resolve) { this.resolve(ok); this.resolve = null; }
  }
}
