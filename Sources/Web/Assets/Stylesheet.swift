extension Assets {
    /// One stylesheet for phones first, wider screens after; system fonts only; colours at WCAG AA contrast or better;
    /// a thick focus ring on everything that takes focus.
    static let stylesheet = #"""
    :root {
      --ink: #1b1b1f; --paper: #ffffff; --muted: #4a4a55; --line: #c8c8d0; --brand: #0b4f8a; --brand-ink: #ffffff;
      --ok: #0a6b2f; --ok-bg: #e7f5ec; --bad: #a4161a; --bad-bg: #fbeaea; --focus: #ffbf47;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif;
      color: var(--ink); background: var(--paper); line-height: 1.5;
    }
    * { box-sizing: border-box; }
    body { margin: 0; font-size: 1.0625rem; }
    a { color: var(--brand); }
    :focus-visible { outline: 3px solid var(--ink); outline-offset: 2px; box-shadow: 0 0 0 6px var(--focus); }
    .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; z-index: 2; }
    .skip:focus { left: .5rem; }
    .top { background: var(--brand); color: var(--brand-ink); padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
    .top a, .top .link { color: var(--brand-ink); }
    .brand { margin: 0; font-weight: 700; font-size: 1.25rem; }
    .brand a { text-decoration: none; }
    nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .75rem; }
    nav a { display: inline-block; padding: .5rem .25rem; min-height: 44px; }
    nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
    .who { margin: 0 0 0 auto; }
    main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
    h2 { font-size: 1.25rem; margin: 0 0 .5rem; }
    .card { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 0 0 1rem; }
    label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
    .choices label, label.check { font-weight: 400; display: flex; gap: .5rem; align-items: center; margin: .25rem 0; min-height: 44px; }
    input, select { font: inherit; width: 100%; padding: .6rem; border: 2px solid var(--muted); border-radius: .375rem; background: var(--paper); color: var(--ink); }
    input[type="radio"], input[type="checkbox"] { width: 1.5rem; height: 1.5rem; margin: 0; }
    fieldset { border: 1px solid var(--line); border-radius: .375rem; margin: 1rem 0; padding: .5rem 1rem 1rem; }
    legend { font-weight: 600; padding: 0 .25rem; }
    button { font: inherit; cursor: pointer; min-height: 44px; padding: .6rem 1.2rem; border-radius: .375rem; border: 2px solid var(--brand); background: var(--paper); color: var(--brand); margin-top: .75rem; }
    button.primary { background: var(--brand); color: var(--brand-ink); font-weight: 700; }
    button.link { border: none; background: none; text-decoration: underline; padding: .5rem .25rem; margin: 0; }
    button:disabled { opacity: .6; cursor: wait; }
    .hint { color: var(--muted); margin: .25rem 0 1rem; }
    .status:empty { display: none; }
    .status { margin: .75rem 0 0; }
    .ok { color: var(--ok); background: var(--ok-bg); border-left: 4px solid var(--ok); padding: .5rem .75rem; font-weight: 600; }
    .bad { color: var(--bad); background: var(--bad-bg); border-left: 4px solid var(--bad); padding: .5rem .75rem; font-weight: 600; }
    .notice { font-size: 1.125rem; border-left: 4px solid var(--muted); padding: .5rem .75rem; }
    .lead { font-size: 1.125rem; }
    .doors, .items, .log { list-style: none; padding: 0; margin: 0; }
    .door { border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 0 0 1rem; }
    .door .unlock { width: 100%; font-size: 1.375rem; padding: 1.1rem; min-height: 64px; }
    .items li { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 .75rem; }
    .items p { margin: .125rem 0; }
    .items h3 { font-size: 1.125rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
    .items .deliveries { list-style: none; padding: 0; margin: .5rem 0; }
    .items .deliveries li { border: none; border-left: 4px solid var(--line); border-radius: 0; padding: .25rem .75rem; margin: .25rem 0; overflow-wrap: anywhere; }
    .items .deliveries li.bad { border-left-color: var(--bad); }
    label.check input { flex: none; }
    .status { overflow-wrap: anywhere; }
    .code { font-size: 2.5rem; font-weight: 700; letter-spacing: .3em; font-variant-numeric: tabular-nums; margin: .5rem 0; }
    .filters { display: grid; gap: 0 1rem; grid-template-columns: 1fr; align-items: end; }
    .log li { border-bottom: 1px solid var(--line); padding: .5rem 0; }
    .log .when { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .5rem; }
    .log .granted { color: var(--ok); font-weight: 700; }
    .log .denied { color: var(--bad); font-weight: 700; }
    .site-doors .state.alert, .alerts h2 { color: var(--bad); }
    .site-doors .state.calm { color: var(--ok); }
    .door-actions { display: flex; flex-wrap: wrap; gap: 0 .75rem; }
    .alerts .when, .alerts .acknowledged { color: var(--muted); }
    [hidden] { display: none !important; }
    @media (min-width: 48rem) {
      main { padding: 1.5rem 2rem; }
      .filters { grid-template-columns: repeat(3, 1fr) auto; }
      .doors { display: grid; grid-template-columns: repeat(2, 1fr); gap: 1rem; }
      .door { margin: 0; }
    }
    @media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }

    """#
}
