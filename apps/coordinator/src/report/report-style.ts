/**
 * The report's only style sheet, inlined into the page. Each result has a colour and a
 * pattern of its own, so results stay apart without colour: `body.mono` (NO_COLOR), a
 * high-contrast preference and forced colours switch to black and white patterns.
 */
export const REPORT_CSS = `
:root{--fg:#1b1f23;--bg:#fff;--muted:#57606a;--line:#d0d7de;--done:#2e7d32;--noop:#90a4ae;--failed:#c62828;--interrupted:#ef6c00;--running:#1565c0;--planned:#fff;--crit:#6a1b9a;--label:11rem;--row:1.4rem}
*{box-sizing:border-box}
body{margin:0;padding:1rem 1.5rem;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}h3{font-size:.95rem;margin:.6rem 0 .2rem}
.summary{color:var(--muted);margin:.2rem 0}
.outcome{display:inline-block;padding:0 .5rem;border-radius:3px;color:#fff;font-weight:600}
.outcome.o-done{background:var(--done)}.outcome.o-failed{background:var(--failed)}.outcome.o-interrupted{background:var(--interrupted)}.outcome.o-running,.outcome.o-planned,.outcome.o-empty{background:var(--running)}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;list-style:none;padding:0;margin:.3rem 0}
.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-block;width:1.6rem;height:.9rem;border:1px solid var(--fg)}
.timeline{position:relative;border:1px solid var(--line);padding:.3rem 0}
.axis,.row{display:grid;grid-template-columns:var(--label) 1fr;align-items:center}
.axis .scale{position:relative;height:2.4rem;border-bottom:1px solid var(--line);margin-right:.6rem}
.stage-label{position:absolute;top:0;height:1.2rem;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-size:.75rem;padding:0 .2rem;border-left:2px solid var(--fg)}
.tick{position:absolute;bottom:0;font-size:.7rem;color:var(--muted);white-space:nowrap;transform:translateX(-50%)}
.tick:first-child{transform:none}.tick:last-child{transform:translateX(-100%)}
.rows{position:relative}
.bounds{position:absolute;top:0;bottom:0;left:var(--label);right:.6rem;pointer-events:none}
.bound{position:absolute;top:0;bottom:0;border-left:1px dashed var(--muted)}
.row{height:var(--row);border-bottom:1px solid #f0f0f0}
.host{padding:0 .6rem;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-family:ui-monospace,monospace;font-size:.8rem}
.lane{position:relative;height:100%;margin-right:.6rem}
.bar{position:absolute;top:18%;height:64%;min-width:3px;border:1px solid rgba(0,0,0,.35);box-shadow:inset -1px 0 0 #fff;forced-color-adjust:none}
.r-done{background:var(--done)}
.r-noop{background:repeating-linear-gradient(90deg,var(--noop) 0 4px,#cfd8dc 4px 6px)}
.r-failed{background:repeating-linear-gradient(45deg,var(--failed) 0 4px,#ffcdd2 4px 6px);border:2px solid #7f0000}
.r-interrupted{background:repeating-linear-gradient(-45deg,var(--interrupted) 0 4px,#fff3e0 4px 7px)}
.r-running{background:repeating-linear-gradient(90deg,var(--running) 0 6px,#bbdefb 6px 9px)}
.r-planned{background:var(--planned);border:1px dashed var(--fg)}
.bar.crit{top:4%;height:92%;outline:2px solid var(--crit);outline-offset:1px;z-index:1}
.swatch.crit{outline:2px solid var(--crit);outline-offset:1px;background:transparent}
.dense{--row:.9rem}.dense .host{font-size:.65rem}.dense .bar{border-width:0}
table{border-collapse:collapse;font-size:.85rem;margin:.3rem 0}
th,td{border:1px solid var(--line);padding:.15rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left;font-family:ui-monospace,monospace}
.problem{border-left:4px solid var(--failed);padding:.1rem .8rem;margin:.5rem 0;background:#fff5f5}
.problem.p-interrupted{border-color:var(--interrupted);background:#fff8f0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.4rem;margin:.3rem 0;font-size:.8rem;max-height:14rem;overflow:auto}
ol.path{font-family:ui-monospace,monospace;font-size:.8rem;columns:2 28rem}
#live{position:sticky;top:0;background:var(--running);color:#fff;padding:.2rem .6rem;margin:-1rem -1.5rem .6rem;font-weight:600}
body[data-live=ended] #live{background:var(--muted)}
body.mono{--fg:#000;--muted:#000;--line:#000;--crit:#000}
body.mono .r-done{background:#000}
body.mono .r-noop{background:repeating-linear-gradient(90deg,#000 0 1px,#fff 1px 4px)}
body.mono .r-failed{background:repeating-linear-gradient(45deg,#000 0 2px,#fff 2px 4px),#fff;border:2px solid #000}
body.mono .r-interrupted{background:repeating-linear-gradient(-45deg,#000 0 1px,#fff 1px 5px);border:1px solid #000}
body.mono .r-running{background:repeating-linear-gradient(0deg,#000 0 1px,#fff 1px 3px);border:1px solid #000}
body.mono .r-planned{background:#fff;border:1px dashed #000}
body.mono .bar.crit{outline:3px double #000}
body.mono .outcome{background:#fff;color:#000;border:2px solid #000}
body.mono .problem,body.mono pre{background:#fff;border-color:#000}
body.mono #live{background:#000}
@media (prefers-contrast:more),(forced-colors:active){
body{--fg:#000;--muted:#000;--line:#000;--crit:#000}
.r-done{background:#000}
.r-noop{background:repeating-linear-gradient(90deg,#000 0 1px,#fff 1px 4px)}
.r-failed{background:repeating-linear-gradient(45deg,#000 0 2px,#fff 2px 4px),#fff;border:2px solid #000}
.r-interrupted{background:repeating-linear-gradient(-45deg,#000 0 1px,#fff 1px 5px);border:1px solid #000}
.r-running{background:repeating-linear-gradient(0deg,#000 0 1px,#fff 1px 3px);border:1px solid #000}
.bar.crit{outline:3px double #000}
}
`;
