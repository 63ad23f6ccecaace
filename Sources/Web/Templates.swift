/// The pages' Mustache templates, compiled into the binary (no files to install, nothing to find at run time).
/// Every value is HTML-escaped by `{{…}}`; there is no inline script or style anywhere (the CSP forbids both).
enum Templates {
    static let all: [String: String] = [
        "head": head, "foot": foot, "login": login, "set-password": setPassword, "doors": doors, "share": share,
        "passcode": passcode, "guests": guests, "manage": manage, "activity": activity, "guest-link": guestLink,
        "message": message, "site-doors": siteDoors, "alerts": alerts, "policy": policy, "webhooks": webhooks, "people": people,
        "units": units, "users": users,
    ]

    static let head = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>{{title}} · Keyway</title>
    <link rel="stylesheet" href="/assets/keyway.css">
    <script src="/assets/keyway.js" defer></script>
    {{#scripts}}<script src="/assets/{{.}}" defer></script>{{/scripts}}
    </head>
    <body data-page="{{page}}">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <p class="brand"><a href="/">Keyway</a></p>
      {{#viewer}}
      <nav aria-label="Main">
        <ul>
          {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
        </ul>
      </nav>
      <p class="who"><span>{{name}}</span> <button type="button" class="link" id="logout">Log out</button></p>
      {{/viewer}}
    </header>
    <main id="main" tabindex="-1">
    <h1>{{title}}</h1>

    """#

    static let foot = #"""
    </main>
    </body>
    </html>

    """#

    static let login = #"""
    {{> head}}
    <form id="login-form" class="card" novalidate>
      <p class="hint">Log in with the e-mail address your building registered for you.</p>
      <label for="email">E-mail</label>
      <input id="email" name="email" type="email" autocomplete="email" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit" class="primary">Log in</button>
      <p id="login-status" class="status" role="status" aria-live="polite"></p>
    </form>
    {{> foot}}
    """#

    static let setPassword = #"""
    {{> head}}
    <form id="password-form" class="card" novalidate>
      <p>Choose your password. This link works once.</p>
      <label for="new-password">New password</label>
      <input id="new-password" type="password" autocomplete="new-password" minlength="12" maxlength="72" required aria-describedby="password-hint">
      <p id="password-hint" class="hint">12 to 72 characters. A short sentence is easy to remember and hard to guess.</p>
      <label for="repeat-password">The same password again</label>
      <input id="repeat-password" type="password" autocomplete="new-password" required>
      <button type="submit" class="primary">Set my password</button>
      <p id="password-status" class="status" role="status" aria-live="polite"></p>
    </form>
    {{> foot}}
    """#

    static let doors = #"""
    {{> head}}
    <p class="hint">Press a door's button to open it. The answer shows below the button.</p>
    <ul id="doors" class="doors"></ul>
    <p id="doors-status" class="status" role="status" aria-live="polite">Loading your doors…</p>
    {{> foot}}
    """#

    static let share = #"""
    {{> head}}
    <form id="share-form" class="card" novalidate>
      <label for="share-key">Your key</label>
      <select id="share-key" required></select>
      <label for="recipient">Who is it for?</label>
      <input id="recipient" required maxlength="254" autocomplete="off" inputmode="email" aria-describedby="recipient-hint">
      <p id="recipient-hint" class="hint">Their e-mail address or phone number, so you know whose link it is (and where it is sent, if your building sends links).</p>
      <fieldset id="share-doors"><legend>Doors</legend></fieldset>
      <fieldset class="choices">
        <legend>Valid for</legend>
        <label><input type="radio" name="validity" value="2h" checked> 2 hours</label>
        <label><input type="radio" name="validity" value="1d"> 1 day</label>
        <label><input type="radio" name="validity" value="1w"> 1 week</label>
        <label><input type="radio" name="validity" value="custom"> Until a date</label>
      </fieldset>
      <label for="share-until">Until (for “Until a date”)</label>
      <input type="datetime-local" id="share-until">
      <label class="check"><input type="checkbox" id="may-share"> They may share it on</label>
      <button type="submit" class="primary">Make the link</button>
      <p id="share-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="share-result" class="card" hidden aria-labelledby="share-result-title">
      <h2 id="share-result-title">The link</h2>
      <p>Send this link to your guest. It is shown only now.</p>
      <label for="share-link">Link</label>
      <input id="share-link" readonly>
      <button type="button" id="copy-link">Copy the link</button>
      <p id="copy-status" class="status" role="status" aria-live="polite"></p>
    </section>
    {{> foot}}
    """#

    static let passcode = #"""
    {{> head}}
    <form id="passcode-form" class="card" novalidate>
      <label for="preset">Who is it for?</label>
      <select id="preset">
        <option value="cleaner">Cleaner</option>
        <option value="dog-walker">Dog walker</option>
        <option value="contractor">Contractor</option>
        <option value="delivery">Delivery</option>
      </select>
      <label for="passcode-label">Name on the code</label>
      <input id="passcode-label" required maxlength="200">
      <fieldset id="passcode-doors"><legend>Doors</legend></fieldset>
      <label for="passcode-from">From</label>
      <input type="datetime-local" id="passcode-from" required>
      <label for="passcode-until">Until</label>
      <input type="datetime-local" id="passcode-until" required>
      <fieldset class="choices">
        <legend>Uses</legend>
        <label><input type="radio" name="uses" value="single" checked> Once</label>
        <label><input type="radio" name="uses" value="many"> A number of times</label>
      </fieldset>
      <label for="passcode-uses">Number of uses (for “A number of times”)</label>
      <input type="number" id="passcode-uses" min="2" max="10000" value="5">
      <div id="passcode-schedule-box" hidden>
        <label for="passcode-schedule">Hours it opens</label>
        <select id="passcode-schedule"><option value="">Any time between From and Until</option></select>
      </div>
      {{#sends}}
      <label for="passcode-send-to">Send it to (optional)</label>
      <input id="passcode-send-to" maxlength="254" autocomplete="off" inputmode="email" aria-describedby="passcode-send-to-hint">
      <p id="passcode-send-to-hint" class="hint">{{to}}: the building sends the code there. Leave it empty to pass it on yourself.</p>
      {{/sends}}
      <button type="submit" class="primary">Make the code</button>
      <p id="passcode-status" class="status" role="status" aria-live="polite"></p>
    </form>
    <section id="passcode-result" class="card" hidden aria-labelledby="passcode-result-title">
      <h2 id="passcode-result-title">The code</h2>
      <p class="code" id="passcode-code"></p>
      <p>Type it on the door's keypad, then <kbd>#</kbd>. It is shown only now: note it or send it.</p>
      <button type="button" id="share-code">Copy the code</button>
      <p id="share-code-status" class="status" role="status" aria-live="polite"></p>
    </section>
    {{> foot}}
    """#

    static let guests = #"""
    {{> head}}
    <p class="hint">The links you shared and the passcodes you made that still work. Revoke one and it stops at once.</p>
    <ul id="access-list" class="items"></ul>
    <p id="access-status" class="status" role="status" aria-live="polite">Loading…</p>
    {{> foot}}
    """#

    static let manage = #"""
    {{> head}}
    <p class="hint">Every shared link and passcode that works now, whoever made it. Revoke one and it stops at once.</p>
    <ul id="access-list" class="items"></ul>
    <p id="access-status" class="status" role="status" aria-live="polite">Loading…</p>
    {{> foot}}
    """#

    static let activity = #"""
    {{> head}}
    <form id="log-filters" class="filters card">
      <div><label for="filter-door">Door</label><select id="filter-door"><option value="">All doors</option></select></div>
      <div><label for="filter-result">Result</label>
        <select id="filter-result"><option value="">All</option><option value="grant">Opened</option><option value="deny">Refused</option></select></div>
      <div><label for="filter-person">Person</label><input id="filter-person" maxlength="200"></div>
      <button type="submit">Show</button>
      <a id="log-csv" href="/api/v1/activity.csv" download="activity.csv">Export these entries as CSV</a>
    </form>
    <p id="live-status" class="status" role="status">Connecting…</p>
    <ol id="log" class="log"></ol>
    {{> foot}}
    """#

    static let guestLink = #"""
    {{> head}}
    {{#active}}
    <p class="lead">{{sharedBy}} shared {{doorWords}} with you{{#until}}, until <time datetime="{{untilISO}}" data-local>{{until}}</time>{{/until}}.</p>
    <ul class="doors">
      {{#doors}}<li class="door"><h2>{{name}}</h2><button type="button" class="unlock primary" data-door="{{name}}">Unlock {{name}}</button><p class="answer status" role="status" aria-live="polite"></p></li>{{/doors}}
    </ul>
    <p id="device-status" class="status" role="status" aria-live="polite" data-shared-by="{{sharedBy}}"></p>
    {{/active}}
    {{#notice}}<p class="notice">{{notice}}</p>{{/notice}}
    {{> foot}}
    """#

    static let message = #"""
    {{> head}}
    <p class="notice">{{text}}</p>
    <p><a href="{{back}}">{{backLabel}}</a></p>
    {{> foot}}
    """#
}
