/// The page's inline CSS and its one small script (sorting the leaderboard).
enum ReportStyle {
    static let css = """
    :root{color-scheme:light dark;--bg:#fff;--fg:#1d1d1f;--muted:#666;--line:#d8d8d8;--head:#f3f3f3;--top:#fff6e0;--bad:#b3261e}
    @media (prefers-color-scheme:dark){:root{--bg:#17181a;--fg:#e6e6e6;--muted:#9a9a9a;--line:#3a3b3e;--head:#232427;--top:#33290f;--bad:#ff8a80}}
    *{box-sizing:border-box}
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;margin:0 auto;padding:1em 1.5em 3em;max-width:1180px;background:var(--bg);color:var(--fg)}
    h1{font-size:1.6em;margin:.2em 0 .4em}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em}
    .muted{color:var(--muted)}
    .live{font-size:.5em;vertical-align:middle;background:#D55E00;color:#fff;border-radius:1em;padding:.15em .7em}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
    table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
    th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:right;white-space:nowrap}
    th{background:var(--head);position:sticky;top:0;cursor:pointer;user-select:none}
    th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
    .t{text-align:left}td.wrap{white-space:normal;overflow-wrap:anywhere}
    tr.top td{background:var(--top)}
    .st-diverged,.st-failed,.st-config_error{color:var(--bad);font-weight:600}
    .scroll-y{max-height:75vh;overflow-y:auto;overflow-x:hidden}
    figure{margin:0 0 1em}figcaption{font-weight:600;margin-bottom:.2em}
    .pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:1em}
    .multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:.8em}
    .multiples figcaption{font-weight:400;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
    svg.chart{width:100%;height:auto;display:block}
    svg.chart text{font-size:11px;fill:currentColor}svg.chart text.axis{font-size:12px}svg.chart text.muted{fill:var(--muted)}
    svg .grid{stroke:currentColor;stroke-opacity:.12}svg .frame{fill:none;stroke:currentColor;stroke-opacity:.45}
    svg .front{fill:none;stroke:currentColor;stroke-dasharray:4 3;stroke-opacity:.7}svg .front-ring{fill:none;stroke:currentColor;stroke-width:1.5}
    .legend span{margin-right:1.2em;white-space:nowrap}.legend i{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.35em;vertical-align:-.1em}
    .legend i.grey{background:currentColor;opacity:.3}
    pre.sample{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--head);padding:.6em .8em;border-radius:4px;margin:.2em 0 0;font-size:13px}
    """

    /// Sorts a table by the clicked column's `data-v` values, numerically when both parse; empty
    /// cells go last either way. Written without "<" so the page stays trivially parseable.
    static let script = """
    document.querySelectorAll('table.sortable').forEach(function(table){
      var heads=table.querySelectorAll('th');
      heads.forEach(function(th,i){th.addEventListener('click',function(){
        var asc=th.dataset.dir!=='asc',body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
        heads.forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?'asc':'desc';
        rows.sort(function(r,s){
          var a=r.cells[i].dataset.v,b=s.cells[i].dataset.v;
          if(a===''||b===''){return (a==='')-(b==='')}
          var x=parseFloat(a),y=parseFloat(b),d=(isNaN(x)||isNaN(y))?a.localeCompare(b):x-y;
          return asc?d:-d;
        });
        rows.forEach(function(r){body.appendChild(r)});
      })});
    });
    """
}
