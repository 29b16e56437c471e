// The 412 path: someone wrote between the operator's read and write. Show what changed
// meanwhile and the operator's own change; re-apply it on the new list or discard it.
import { el } from './grid.js';
import { diff, describeOp } from './entries.js';

export class ConflictDialog {
  constructor(doc) {
    this.doc = doc;
    this.dialog = doc.getElementById('conflict-dialog');
    doc.getElementById('conflict-discard').addEventListener('click', () => this.finish('discard'));
    doc.getElementById('conflict-reapply').addEventListener('click', () => this.finish('reapply'));
    this.dialog.addEventListener('cancel', ev => { ev.preventDefault(); this.finish('discard'); });
  }

  /** Resolves 'reapply' or 'discard'. base/current: {revision, entries}. */
  ask(base, current, op, opener) {
    const d = this.doc;
    this.opener = opener;
    d.getElementById('conflict-intro').textContent = 'Someone else changed the link-local services while you were '
      + 'editing (revision ' + base.revision + ' → ' + current.revision + '). Nothing of yours has been written.';
    const changes = diff(base.entries, current.entries);
    d.getElementById('conflict-changes').replaceChildren(...(changes.length ? changes : [{ kind: 'changed', text: 'no entry differs (only the revision moved)' }])
      .map(c => el('li', { class: 'chg-' + c.kind, text: c.text })));
    d.getElementById('conflict-yours').textContent = describeOp(op);
    if (!this.dialog.open) this.dialog.showModal();
    d.getElementById('conflict-reapply').focus();
    return new Promise(resolve => { this.resolve = resolve; });
  }

  finish(choice) {
    if (this.dialog.open) this.dialog.close();
    if (this.opener && this.opener.isConnected) this.opener.focus();
    if (this.resolve) { this.resolve(choice); this.resolve = null; }
  }
}
