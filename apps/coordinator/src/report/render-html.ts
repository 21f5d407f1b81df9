import { formatDuration } from '../cli/duration';
import type { SecretRegistry } from '../journal/secret-registry';
import { BAR_RESULTS, type BarResult, type BuildModel, PLANNED_STEP_MS, type StepBar, type Totals } from './build-model';
import { REPORT_CSS } from './report-style';
import { withoutSecrets } from './secret-shapes';

/** More hosts than this: compact rows, so 1,000 hosts stay one scrollable page. */
const DENSE_FROM_HOSTS = 40;

const RESULT_WORDS: Record<BarResult, string> = {
  done: 'done',
  noop: 'nothing to do (noop)',
  failed: 'failed',
  interrupted: 'interrupted',
  running: 'running',
  planned: 'planned (dry run)',
};

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A length of time as the picture measures it: a duration, or steps on a dry run's picture. */
function span(model: Pick<BuildModel, 'timeUnit'>, ms: number): string {
  if (model.timeUnit === 'ms') return formatDuration(ms);
  const steps = Math.round(ms / PLANNED_STEP_MS);
  return `${steps} step${steps === 1 ? '' : 's'}`;
}

function percent(ms: number, totalMs: number): string {
  return totalMs > 0 ? `${((ms / totalMs) * 100).toFixed(3)}%` : '0%';
}

function barTitle(model: BuildModel, bar: StepBar): string {
  const lines = [`${bar.path}: ${RESULT_WORDS[bar.result]}`, `${span(model, bar.endMs - bar.startMs)}, from +${span(model, bar.startMs)} to +${span(model, bar.endMs)}`];
  if (bar.critical) lines.push('on the critical path');
  if (bar.error) lines.push(`${bar.error.code}: ${bar.error.message}`);
  if (bar.note) lines.push(bar.note);
  return lines.join('\n');
}

function renderBar(model: BuildModel, bar: StepBar): string {
  const totalMs = model.totalMs;
  const width = percent(bar.endMs - bar.startMs, totalMs);
  return (
    `<div class="bar r-${bar.result}${bar.critical ? ' crit' : ''}" style="left:${percent(bar.startMs, totalMs)};width:${width}"` +
    ` data-path="${escapeHtml(bar.path)}" data-step="${escapeHtml(bar.step)}" data-stage="${escapeHtml(bar.stage)}" data-result="${bar.result}"${bar.critical ? ' data-critical="true"' : ''}` +
    ` title="${escapeHtml(barTitle(model, bar))}"></div>`
  );
}

function renderTimeline(model: BuildModel): string {
  const total = model.totalMs;
  const byHost = new Map<string, StepBar[]>(model.hosts.map((host) => [host, []]));
  for (const bar of model.bars) byHost.get(bar.host)?.push(bar);
  const stageLabels = model.stages
    .map((stage) => `<div class="stage-label" style="left:${percent(stage.startMs, total)};width:${percent(stage.endMs - stage.startMs, total)}" title="${escapeHtml(`${stage.id}: ${span(model, stage.endMs - stage.startMs)}`)}">${escapeHtml(stage.id)}</div>`)
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => `<span class="tick" style="left:${(share * 100).toFixed(0)}%">+${span(model, share * total)}</span>`).join('');
  const bounds = model.stages.map((stage) => `<div class="bound" data-stage="${escapeHtml(stage.id)}" style="left:${percent(stage.startMs, total)}"></div>`).join('');
  const rows = model.hosts
    .map((host) => {
      const bars = byHost.get(host) ?? [];
      return `<div class="row" role="listitem" data-host="${escapeHtml(host)}"><span class="host" title="${escapeHtml(host)}">${escapeHtml(host)}</span><div class="lane" aria-label="${escapeHtml(`${host}: ${bars.length} step(s)`)}">${bars.map((bar) => renderBar(model, bar)).join('')}</div></div>`;
    })
    .join('');
  return (
    `<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>` +
    `<div class="timeline"><div class="axis" aria-hidden="true"><span class="host">host \\ time</span><div class="scale">${stageLabels}${ticks}</div></div>` +
    `<div class="rows" role="list" aria-label="one row per host, one bar per step"><div class="bounds" aria-hidden="true">${bounds}</div>${rows}</div></div></section>`
  );
}

function renderLegend(): string {
  const items = BAR_RESULTS.map((result) => `<li><span class="swatch r-${result}" aria-hidden="true"></span>${escapeHtml(RESULT_WORDS[result])}</li>`);
  items.push('<li><span class="swatch crit" aria-hidden="true"></span>critical path (outlined, taller)</li>');
  items.push('<li><span class="swatch bound-key" aria-hidden="true" style="border-style:dashed;border-width:0 0 0 1px"></span>stage start</li>');
  return `<section aria-labelledby="h-legend"><h2 id="h-legend">Legend</h2><ul class="legend">${items.join('')}</ul><p class="summary">Hover a bar for its step, times and result.</p></section>`;
}

function renderProblems(model: BuildModel): string {
  if (model.problems.length === 0) return '';
  const items = model.problems.map((id) => {
    const bar = model.bars[id]!;
    const error = bar.error;
    const details = error
      ? `<p><strong>${escapeHtml(error.code)}</strong>: ${escapeHtml(error.message)}</p>` +
        (error.command ? `<p>command: <code>${escapeHtml(error.command)}</code>${error.exitCode !== undefined ? `, exit code ${error.exitCode}` : ''}</p>` : '') +
        (error.stderrTail ? `<p>last lines of its standard error:</p><pre class="stderr">${escapeHtml(error.stderrTail)}</pre>` : '')
      : `<p>${bar.result === 'interrupted' ? 'started, and the run stopped before it ended; `kumi up` again resumes it' : 'no message'}</p>`;
    return `<article class="problem p-${bar.result}" data-path="${escapeHtml(bar.path)}"><h3>${escapeHtml(bar.path)}: ${escapeHtml(RESULT_WORDS[bar.result])} after ${span(model, bar.endMs - bar.startMs)}</h3>${details}</article>`;
  });
  return `<section aria-labelledby="h-problems"><h2 id="h-problems">Failures</h2>${items.join('')}</section>`;
}

function renderCritical(model: BuildModel): string {
  if (model.critical.length === 0) return '';
  const items = model.critical.map((id) => {
    const bar = model.bars[id]!;
    return `<li data-path="${escapeHtml(bar.path)}">${escapeHtml(bar.path)} (${span(model, bar.endMs - bar.startMs)}, ${escapeHtml(bar.result)})</li>`;
  });
  const busy = model.critical.reduce((sum, id) => sum + model.bars[id]!.endMs - model.bars[id]!.startMs, 0);
  return (
    `<section aria-labelledby="h-critical"><h2 id="h-critical">Critical path</h2>` +
    `<p class="summary">The chain of steps that set the total time: each waited for the one before it (its host's previous step, a free slot or the end of the stage before). Its steps took ${span(model, busy)} of ${span(model, model.totalMs)}${model.timeUnit === 'ms' ? '; the rest was waiting' : ' (a dry run: every step counts as one)'}.</p>` +
    `<ol class="path">${items.join('')}</ol></section>`
  );
}

function renderTotals(model: BuildModel, title: string, id: string, what: string, totals: readonly Totals[]): string {
  const shown = BAR_RESULTS.filter((result) => totals.some((row) => row.counts[result] > 0));
  const head = `<tr><th scope="col">${escapeHtml(what)}</th><th scope="col">wall time</th><th scope="col">busy</th>${shown.map((result) => `<th scope="col">${result}</th>`).join('')}</tr>`;
  const rows = totals.map(
    (row) => `<tr><th scope="row">${escapeHtml(row.name)}</th><td>${span(model, row.wallMs)}</td><td>${span(model, row.busyMs)}</td>${shown.map((result) => `<td>${row.counts[result]}</td>`).join('')}</tr>`,
  );
  return `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(title)}</h2><table>${head}${rows.join('')}</table></section>`;
}

/** What the page says about its cluster, besides the model. */
export interface ReportContext {
  cluster: string;
}

/**
 * The report's content (everything inside `<main>`): header, legend, timeline, failures,
 * critical path and totals. The static page and the live page both show exactly this.
 * Its size is linear in the number of bars and hosts.
 */
export function renderReportBody(model: BuildModel, context: ReportContext): string {
  const steps = model.bars.length;
  const header =
    `<header><h1>kumi build of cluster “${escapeHtml(context.cluster)}”</h1>` +
    `<p class="summary"><span class="outcome o-${model.outcome}" data-outcome="${model.outcome}">${model.outcome}</span> ` +
    (model.timeUnit === 'step'
      ? `a dry run of the plan, ${span(model, model.totalMs)} long, `
      : `run ${escapeHtml(model.run || 'none')}${model.startedAt ? `, started ${escapeHtml(model.startedAt)}` : ''}, ${span(model, model.totalMs)}${model.open ? ' so far' : ''}, `) +
    `${model.hosts.length} host(s), ${steps} step(s), ${model.critical.length} on the critical path` +
    `${model.earlierRuns.length ? `; ${model.earlierRuns.length} earlier run(s) in the journal (steps they finished are not redone, so not shown)` : ''}.</p></header>`;
  if (steps === 0) return `${header}<p>The journal has no steps for this run yet.</p>`;
  return [
    header,
    renderLegend(),
    renderTimeline(model),
    renderProblems(model),
    renderCritical(model),
    renderTotals(model, 'Per stage', 'h-stages', 'stage', model.stageTotals),
    renderTotals(model, 'Per host', 'h-hosts', 'host', model.hostTotals),
  ].join('');
}

/** Options of renderReportPage. */
export interface PageOptions extends ReportContext {
  /** Black and white patterns only (NO_COLOR). */
  mono: boolean;
  /** The live page: adds the script that follows the build over server-sent events. */
  live?: { eventsPath: string };
  /** Known secret values to scrub, besides the secret shapes. */
  secrets?: SecretRegistry;
}

/** The live page's only script: replaces the report's content with each update. */
const LIVE_SCRIPT = `(function(){var main=document.getElementById('report');var live=document.getElementById('live');var es=new EventSource(document.body.getAttribute('data-events'));
es.addEventListener('report',function(e){main.innerHTML=JSON.parse(e.data);live.textContent='live: updated '+new Date().toLocaleTimeString();});
es.addEventListener('end',function(){es.close();document.body.setAttribute('data-live','ended');live.textContent='the build ended: this page no longer updates';});
es.onerror=function(){if(document.body.getAttribute('data-live')!=='ended'){live.textContent='live: connection lost, retrying';}};})();`;

/**
 * One self-contained HTML page: inline style, no external asset, and a content security
 * policy that forbids every load (the live page may only connect back to its own origin
 * for its events). Every text passes a last scan for secrets (see withoutSecrets).
 */
export function renderReportPage(model: BuildModel, options: PageOptions): string {
  const policy = options.live ? "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'" : "default-src 'none'; style-src 'unsafe-inline'";
  const dense = model.hosts.length >= DENSE_FROM_HOSTS;
  const classes = [options.mono ? 'mono' : '', dense ? 'dense' : ''].filter(Boolean).join(' ');
  const page =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="generator" content="kumi report">` +
    `<title>kumi build of ${escapeHtml(options.cluster)}: ${model.outcome}</title><style>${REPORT_CSS}</style></head>` +
    `<body${classes ? ` class="${classes}"` : ''}${options.live ? ` data-live="open" data-events="${escapeHtml(options.live.eventsPath)}"` : ''}>` +
    (options.live ? '<p id="live" role="status">live: waiting for updates</p>' : '') +
    `<main id="report">${renderReportBody(model, options)}</main>` +
    (options.live ? `<script>${LIVE_SCRIPT}</script>` : '') +
    `</body></html>\n`;
  return withoutSecrets(page, options.secrets);
}
