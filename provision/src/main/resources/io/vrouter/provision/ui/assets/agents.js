// Propagation: which revision each compute node's agent has applied, and when it was last heard.
import { el } from './grid.js';

function ago(seconds) {
  if (seconds < 60) return seconds + ' s ago';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
  return Math.floor(seconds / 3600) + ' h ago';
}

export function renderAgents(doc, view) {
  const body = doc.getElementById('agents-body');
  const summary = doc.getElementById('propagation-summary');
  const agents = view.agents;
  const live = agents.filter(a => !a.stale);
  const current = live.filter(a => a.revision === view.revision).length;
  const stale = agents.length - live.length;
  if (!agents.length) {
    summary.textContent = 'No compute node is watching the config API yet.';
  } else {
    summary.textContent = current + ' of ' + live.length + ' live node' + (live.length === 1 ? ' has' : 's have')
      + ' revision ' + view.revision + (stale ? '; ' + stale + ' not heard from recently (stale)' : '') + '.';
  }
  doc.getElementById('agents').hidden = agents.length === 0;
  body.replaceChildren(...agents.map(a => {
    let state; let cls;
    if (a.stale) { state = 'stale: not heard from for ' + ago(a.seconds_ago).replace(' ago', ''); cls = 'state-stale'; }
    else if (a.revision === view.revision) { state = 'up to date'; cls = 'state-ok'; }
    else if (a.revision < view.revision) { state = 'behind by ' + (view.revision - a.revision); cls = 'state-behind'; }
    else { state = 'differs (store rebuilt?)'; cls = 'state-behind'; }
    return el('tr', { 'data-node': a.node },
      el('td', { class: 'node', text: a.node }),
      el('td', { class: 'mono applied', text: a.revision === 0 ? 'none' : String(a.revision) }),
      el('td', { class: 'state ' + cls, text: state }),
      el('td', { title: a.last_seen, text: ago(a.seconds_ago) }),
      el('td', { class: 'mono', text: a.address }));
  }));
}
