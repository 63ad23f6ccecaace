extension Templates {
    /// The managers' doors: each door's live state and its commands (filled by `site-doors.js`).
    static let siteDoors = #"""
    {{> head}}
    <p class="hint">Every door as it is now; the states refresh by themselves. Unlock a door for a while, lock it down, or return it to normal: the answer shows under the door.</p>
    <p id="site-doors-status" class="status" role="status" aria-live="polite">Loading the doors…</p>
    <p id="site-doors-updated" class="hint"></p>
    <ul id="site-doors" class="items site-doors"></ul>
    {{> foot}}
    """#

    /// The managers' alerts, newest first, with new ones arriving live (filled by `alerts.js`).
    static let alerts = #"""
    {{> head}}
    <p class="hint">Doors forced or held open, readers offline, keypads locked after wrong codes, duress codes, and codes tried outside the hours they were given for. New alerts appear at the top as they happen.</p>
    <form id="alert-filters" class="filters card">
      <div><label for="alert-kind">Kind</label>
        <select id="alert-kind">
          <option value="">All kinds</option>
          <option value="forced">Door forced open</option>
          <option value="held_open">Door held open</option>
          <option value="reader_offline">Reader offline</option>
          <option value="opening_unconfirmed">Door did not confirm it opened</option>
          <option value="keypad_lockout">Keypad locked</option>
          <option value="duress">Duress code</option>
          <option value="out_of_hours">Code outside its hours</option>
        </select></div>
      <div><label for="alert-state">Show</label>
        <select id="alert-state">
          <option value="">All</option>
          <option value="false">Not acknowledged</option>
          <option value="true">Acknowledged</option>
        </select></div>
      <div><label for="alert-door">Door</label><select id="alert-door"><option value="">All doors</option></select></div>
      <button type="submit">Show</button>
    </form>
    <p id="alerts-live" class="status" role="status">Connecting…</p>
    <ol id="alerts" class="items alerts"></ol>
    <p id="alerts-status" class="status" role="status" aria-live="polite"></p>
    <button type="button" id="alerts-more" hidden>Show older alerts</button>
    {{> foot}}
    """#
}
