#!/usr/bin/env python3
"""The web pages in headless Chromium against a running `keyway serve --demo` (scripts/web-browser.sh starts it).

One story, step by step, each step a check: a manager sets a password from the one-time link, logs in, makes a
single-use passcode; the code typed at the demo reader's keypad (libosdp PD) opens the door once and the log page
shows it live, without a reload; the second try is refused with the reason in words. A resident unlocks, shares a
key; the link in a fresh browser profile unlocks (the relay command reaches the PD) and is bound to it: a second
profile is refused, the resident sees the warning and allows it (the link moves there); revoked, the guest's next tap
says so. The links and codes the resident sends by e-mail and SMS reach the demo's outbox (an aiosmtpd relay and a
loopback SMS gateway, which keep each message) with the link or code the page showed. Another resident reaches
neither the manager pages nor the first resident's guests. axe-core runs on
every page (no serious or critical violation); screenshots at phone and desktop size go to KEYWAY_ARTIFACTS, listed
in screenshots.json (name, title, path, which guide) for `scripts/web-browser.sh --update-docs`.
Waits are generous and nothing is timed: the machine may be busy. Each page's load is measured all the same
(Navigation Timing, and until the API calls it makes on load have answered) and written to page-load.json, never
asserted. Every browser is quit at the end.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["KEYWAY_BASE"]
KEYWAY = os.environ["KEYWAY_BIN"]
WORK = os.environ["KEYWAY_WORK"]
ARTIFACTS = os.environ["KEYWAY_ARTIFACTS"]
WAIT = 60
PHONE = (390, 844)
DESKTOP = (1280, 900)
PASSWORD = "a long browser password"

browsers = []
state = {}
# Every page checked_page() saw: its screenshots' manifest and its load figures, by screenshot name.
pages = {}
LOAD_AGAIN = 4
LOAD_AT_START = os.getloadavg()

# Injected before any page script (DevTools, so the CSP does not apply): counts the page's fetch() calls in flight
# and sets window.keywayShown, in ms from the navigation's start, at the first frame after the document has loaded
# and the last of the API calls made on load has answered (no new call within 100 ms after it).
LOAD_PROBE = """
(() => {
  let pending = 0, lastCall = 0;
  window.keywayShown = null;
  const settle = () => {
    if (window.keywayShown !== null || pending > 0 || document.readyState !== 'complete') return;
    const mark = performance.now();
    requestAnimationFrame(() => {
      const shown = performance.now();
      setTimeout(() => { if (pending === 0 && lastCall <= mark && window.keywayShown === null) window.keywayShown = shown; else settle(); }, 100);
    });
  };
  const original = window.fetch;
  window.fetch = function (...args) {
    pending += 1;
    lastCall = performance.now();
    return original.apply(this, args).finally(() => { pending -= 1; settle(); });
  };
  window.addEventListener('load', () => setTimeout(settle, 0));
})();
"""


def browser(size):
    """A fresh profile (no cookie, no storage) in headless Chromium from Debian's package."""
    profile = tempfile.mkdtemp(prefix="keyway-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
                     f"--window-size={size[0]},{size[1]}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browsers.append((driver, profile))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LOAD_PROBE})
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def wait(driver, condition, what):
    return WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: condition(d), message=f"waited {WAIT} s for {what}")


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def wait_text(driver, element_id, pattern, what):
    wait(driver, lambda d: re.search(pattern, text(d, element_id)), what)
    return text(driver, element_id)


def load_figures(driver):
    """The current document's load in ms from its navigation's start: first byte, DOM ready, load event, and `shown`
    (LOAD_PROBE); None when the page's calls did not settle within 10 s (a page that keeps calling)."""
    try:
        WebDriverWait(driver, 10, poll_frequency=0.05).until(lambda d: d.execute_script("return window.keywayShown !== null"))
    except Exception:
        return None
    return driver.execute_script("""
        const n = performance.getEntriesByType('navigation')[0];
        const calls = performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'fetch' && r.startTime <= window.keywayShown);
        const ms = (value) => Math.round(value * 10) / 10;
        return {first_byte: ms(n.responseStart), dom_ready: ms(n.domContentLoadedEventEnd), loaded: ms(n.loadEventEnd),
                shown: ms(Math.max(window.keywayShown, n.loadEventEnd)), api_calls: calls.length};""")


def checked_page(driver, name):
    """axe-core on the page as it is now (no serious or critical violation), then a phone and a desktop screenshot;
    the page is listed (screenshots.json) and its load figures kept (page-load.json)."""
    axe = Axe(driver)
    axe.inject()
    violations = [v for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    message = f"axe on {name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)
    assert not violations, message
    size = driver.get_window_size()
    for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
        driver.set_window_size(width, height)
        driver.execute_script("window.scrollTo(0, 0)")  # axe scrolls as it checks; a guide shows the page's top
        driver.save_screenshot(os.path.join(ARTIFACTS, f"{name}-{label}.png"))
    driver.set_window_size(size["width"], size["height"])
    # A manager's pages go in the managers' guide, every other in the residents' (guests' included); the login and
    # set-password pages in both.
    audience = driver.execute_script("""
        if (['login', 'set-password'].includes(document.body.dataset.page)) return 'both';
        return document.querySelector('header nav a[href="/manage"]') ? 'managers' : 'residents';""")
    # A one-time link's secret is left out of what is written (page paths in the artifacts and the guides).
    path = re.sub(r"^/(set-password|k)/.+", r"/\1/…", urlparse(driver.current_url).path)
    pages[name] = {"title": driver.title.removesuffix(" · Keyway"), "path": path,
                   "audience": audience, "driver": driver, "url": driver.current_url, "loads": [load_figures(driver)]}


def fetch(driver, method, path, body=None):
    """A request from the page, as its own script makes them (the session's cookie and CSRF token)."""
    return driver.execute_async_script("""
        const [method, path, body, done] = arguments;
        const headers = {'Content-Type': 'application/json', 'X-CSRF-Token': localStorage.getItem('keyway.csrf') || ''};
        fetch(path, {method, headers, body: body === null ? undefined : JSON.stringify(body)})
          .then(r => r.text().then(t => done({status: r.status, text: t})))
          .catch(e => done({status: 0, text: String(e)}));""", method, path, body)


def relay_pulses():
    """Relay commands the demo's libosdp PD received for the Front door's output (its log lines in serve.log)."""
    with open(os.path.join(WORK, "serve.log"), encoding="utf-8", errors="replace") as log:
        return sum(1 for line in log if "simulated PD received" in line and "type=output" in line
                   and "output_no=0" in line and "timer_count=0" not in line)


def wait_pulses(more_than, what):
    WebDriverWait(None, WAIT, poll_frequency=0.2).until(lambda _: relay_pulses() > more_than, message=f"waited {WAIT} s for {what}")


def keypad(keys, reader="front-reader"):
    env = dict(os.environ, KEYWAY_SOCKET=os.path.join(WORK, "var/demo/control.sock"))
    subprocess.run([KEYWAY, "sim", "keys", "--reader", reader, keys], env=env, check=True, capture_output=True, timeout=WAIT)


def set_password_and_log_in(driver, link, email, lands_on):
    driver.get(link)
    wait(driver, lambda d: d.find_element(By.ID, "new-password"), "the set-password form")
    if "set-password" not in state.setdefault("checked", set()):
        checked_page(driver, "set-password")
        state["checked"].add("set-password")
    driver.find_element(By.ID, "new-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "repeat-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#password-form button[type=submit]").click()
    wait_text(driver, "password-status", "password is set", "the password to be set")
    driver.get(BASE + "/login")
    wait(driver, lambda d: d.find_element(By.ID, "email"), "the login form")
    if "login" not in state["checked"]:
        checked_page(driver, "login")
        state["checked"].add("login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait(driver, lambda d: urlparse(d.current_url).path == lands_on, f"the login to land on {lands_on}")


# MARK: The steps, in order (each builds on the ones before)

def manager_logs_in():
    state["admin"] = admin = browser(DESKTOP)
    set_password_and_log_in(admin, os.environ["ADMIN_LINK"], "admin@example.org", "/manage")
    wait_text(admin, "access-status", r"Nothing active|Revoked|^$", "the visitor access list")
    checked_page(admin, "manage")


def manager_makes_a_single_use_passcode():
    admin = state["admin"]
    admin.get(BASE + "/passcode")
    wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#passcode-doors input[value=Front]"), "the door choices")
    Select(admin.find_element(By.ID, "preset")).select_by_value("delivery")
    assert admin.find_element(By.CSS_SELECTOR, "input[name=uses][value=single]").is_selected(), "delivery is single use"
    checked_page(admin, "passcode")
    admin.find_element(By.CSS_SELECTOR, "#passcode-doors input[value=Front]").click()
    admin.find_element(By.CSS_SELECTOR, "#passcode-form button[type=submit]").click()
    state["code"] = wait_text(admin, "passcode-code", r"^\d{4,}$", "the code, shown once")


def the_code_opens_once_and_the_log_shows_it_live():
    admin = state["admin"]
    admin.get(BASE + "/activity")
    wait_text(admin, "live-status", "^Live", "the live log to connect")
    admin.execute_script("window.keywayMarker = 'the same page';")
    pulses = relay_pulses()
    keypad(state["code"] + "#")
    row = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#log li[data-outcome=grant]"), "the grant in the live log")[0]
    assert "Opened" in row.text and "Front" in row.text, f"the log row says: {row.text}"
    wait_pulses(pulses, "the relay command at the PD")
    state["pulses"] = relay_pulses()
    keypad(state["code"] + "#")
    row = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#log li[data-outcome=deny]"), "the refusal in the live log")[0]
    assert re.search(r"Refused: [a-z][a-z ,:']{5,}", row.text), f"the refusal names its reason in words: {row.text}"
    assert relay_pulses() == state["pulses"], "the second try moved the relay"
    assert admin.execute_script("return window.keywayMarker") == "the same page", "the log page reloaded"
    checked_page(admin, "activity")
    # The export follows the filters shown: the refusals alone, as CSV.
    Select(admin.find_element(By.ID, "filter-result")).select_by_value("deny")
    admin.find_element(By.CSS_SELECTOR, "#log-filters button[type=submit]").click()
    wait(admin, lambda d: d.find_element(By.ID, "log-csv").get_attribute("href").endswith("/api/v1/activity.csv?result=deny"),
         "the export link to follow the filters")
    exported = fetch(admin, "GET", "/api/v1/activity.csv?result=deny")
    assert exported["status"] == 200 and exported["text"].startswith("sequence,") and "use_limit_reached" in exported["text"], \
        f"the refusals as CSV: {exported['status']} {exported['text'][:200]}"


def resident_unlocks_and_shares():
    issued = fetch(state["admin"], "POST", "/api/v1/keys", {"person": "Grace Hopper", "doors": ["Front"], "may_share": True})
    assert issued["status"] == 201, f"issuing Grace a key: {issued}"
    state["grace_key"] = re.search(r'"id":"(key_[^"]+)"', issued["text"]).group(1)
    state["grace"] = grace = browser(PHONE)
    set_password_and_log_in(grace, os.environ["GRACE_LINK"], "grace@example.org", "/doors")
    button = wait(grace, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#doors button") if b.text == "Unlock Front"],
                  "the Unlock Front button")[0]
    checked_page(grace, "doors")
    pulses = relay_pulses()
    button.click()
    answer = wait(grace, lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#doors .answer") if "Opened" in a.text],
                  "the door's answer")[0]
    assert "Front" in answer.text
    wait_pulses(pulses, "the relay command at the PD")
    grace.get(BASE + "/share")
    wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#share-key option"), "the keys that may be shared")
    Select(grace.find_element(By.ID, "share-key")).select_by_value(state["grace_key"])
    grace.find_element(By.ID, "recipient").send_keys("sam@example.org")
    grace.find_element(By.CSS_SELECTOR, "#share-form button[type=submit]").click()
    wait(grace, lambda d: d.find_element(By.ID, "share-result").is_displayed(), "the link")
    state["link"] = link = grace.find_element(By.ID, "share-link").get_attribute("value")
    assert link.startswith(BASE + "/k/kw1."), f"the share link: {link}"
    state["share_id"] = link.split("/k/")[1].split(".")[1]
    wait_text(grace, "share-status", r"being sent to s\*+@example\.org", "the link said to be on its way")
    grace.find_element(By.ID, "copy-link").click()
    wait_text(grace, "copy-status", ".", "the copy button's answer")
    checked_page(grace, "share")
    mail = outbox_message("mail.jsonl", lambda m: m["to"] == ["sam@example.org"], "the e-mail to sam@example.org")
    assert link in mail["body"].split() and mail["subject"] == "A key for Front", f"the e-mail: {mail}"


def outbox_message(name, matches, what):
    """The first message in the demo's outbox file `name` (the SMTP relay's or the SMS gateway's, one JSON line each)
    that `matches`, waiting for the service's outbox to send it."""
    path = os.path.join(WORK, "var/demo/outbox", name)

    def found(_):
        with open(path, encoding="utf-8") as log:
            return next((m for m in map(json.loads, log) if matches(m)), None)
    return WebDriverWait(None, WAIT, poll_frequency=0.2).until(found, message=f"waited {WAIT} s for {what} in {path}")


def a_link_by_sms_and_a_code_by_email_reach_the_outbox():
    grace = state["grace"]
    grace.get(BASE + "/share")
    wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#share-key option"), "the keys that may be shared")
    Select(grace.find_element(By.ID, "share-key")).select_by_value(state["grace_key"])
    grace.find_element(By.ID, "recipient").send_keys("+44 7700 900123")
    grace.find_element(By.CSS_SELECTOR, "#share-form button[type=submit]").click()
    wait_text(grace, "share-status", r"being sent to \+", "the link said to be on its way by SMS")
    link = grace.find_element(By.ID, "share-link").get_attribute("value")
    sms = outbox_message("sms.jsonl", lambda m: json.loads(m["body"])["to"] == "+447700900123", "the SMS to +447700900123")
    assert sms["method"] == "POST" and sms["path"] == "/send" and json.loads(sms["body"])["text"] == f"Your key for Front: {link}", \
        f"the SMS: {sms}"

    grace.get(BASE + "/passcode")
    wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#passcode-doors input[value=Front]"), "the door choices")
    Select(grace.find_element(By.ID, "preset")).select_by_value("dog-walker")
    grace.find_element(By.CSS_SELECTOR, "#passcode-doors input[value=Front]").click()
    grace.find_element(By.ID, "passcode-send-to").send_keys("walker@example.org")
    grace.find_element(By.CSS_SELECTOR, "#passcode-form button[type=submit]").click()
    wait_text(grace, "passcode-status", r"being sent to w\*+@example\.org", "the code said to be on its way")
    code = grace.find_element(By.ID, "passcode-code").text
    assert re.fullmatch(r"[0-9]{4,}", code), f"the code shown: {code!r}"
    grace.find_element(By.ID, "share-code").click()
    wait_text(grace, "share-code-status", ".", "the share button's answer")
    checked_page(grace, "guest-passcode")
    mail = outbox_message("mail.jsonl", lambda m: m["to"] == ["walker@example.org"], "the e-mail to walker@example.org")
    assert f"Your passcode for Front is {code}." in mail["body"] and mail["subject"] == "A passcode for Front", f"the e-mail: {mail}"


def the_guest_link_unlocks_in_a_fresh_profile():
    state["guest"] = guest = browser(PHONE)
    guest.get(state["link"])
    lead = wait(guest, lambda d: d.find_elements(By.CSS_SELECTOR, "p.lead"), "the guest page")[0].text
    assert "Grace Hopper" in lead and "Front" in lead and "until" in lead, f"the guest page says: {lead}"
    checked_page(guest, "guest-link")
    wait(guest, lambda d: "kept on this device" in d.find_element(By.ID, "device-status").text, "the link bound to this browser")
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: "Opened" in d.find_element(By.CSS_SELECTOR, ".door .answer").text, "the guest's door to open")
    wait_pulses(pulses, "the relay command at the PD for the guest")


def the_same_link_in_a_second_profile_is_refused():
    state["other"] = other = browser(PHONE)
    other.get(state["link"])
    wait(other, lambda d: "another device" in d.find_element(By.ID, "device-status").text, "the second device's refusal")
    pulses = relay_pulses()
    other.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(other, lambda d: re.search("Refused: .*another device", d.find_element(By.CSS_SELECTOR, ".door .answer").text),
         "the refusal at the door")
    assert relay_pulses() == pulses, "the second device moved the relay"
    checked_page(other, "guest-link-second-device")


def the_resident_allows_the_second_device():
    grace = state["grace"]
    grace.get(BASE + "/guests")
    warning = wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#access-list .second-device"), "the second-device warning")[0].text
    assert "second device" in warning, f"the warning says: {warning}"
    checked_page(grace, "guests-second-device")
    grace.find_element(By.CSS_SELECTOR, "#access-list button.allow").click()
    wait(grace, lambda d: not d.find_elements(By.CSS_SELECTOR, "#access-list .second-device"), "the warning to go once allowed")
    other, guest = state["other"], state["guest"]
    pulses = relay_pulses()
    other.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(other, lambda d: "Opened" in d.find_element(By.CSS_SELECTOR, ".door .answer").text, "the allowed device's door to open")
    wait_pulses(pulses, "the relay command at the PD for the allowed device")
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: re.search("Refused: .*another device", d.find_element(By.CSS_SELECTOR, ".door .answer").text),
         "the first device's refusal once the link moved")
    assert relay_pulses() == pulses, "the first device still moved the relay"


def revoked_the_guests_next_tap_says_so():
    grace = state["grace"]
    grace.get(BASE + "/guests")
    button = wait(grace, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#access-list button") if b.text == "Revoke sam@example.org"],
                  "sam@example.org in My guests")[0]
    checked_page(grace, "guests")
    button.click()
    wait_text(grace, "access-status", "Revoked", "the revocation")
    guest = state["other"]  # the device the link was moved to
    pulses = relay_pulses()
    guest.find_element(By.CSS_SELECTOR, "button.unlock").click()
    wait(guest, lambda d: re.search("Refused: .*revoked", d.find_element(By.CSS_SELECTOR, ".door .answer").text), "the refusal")
    assert relay_pulses() == pulses, "a revoked link moved the relay"
    guest.refresh()
    heading = wait(guest, lambda d: d.find_element(By.TAG_NAME, "h1").text, "the page")
    assert heading == "This link was revoked", f"the page after revoking says: {heading}"
    assert not guest.find_elements(By.CSS_SELECTOR, "button.unlock")
    checked_page(guest, "guest-link-revoked")


def another_resident_sees_nothing_of_it():
    linus = state["guest"]
    set_password_and_log_in(linus, os.environ["LINUS_LINK"], "linus@example.org", "/doors")
    for path in ("/manage", "/activity"):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and "sam@example.org" not in answer["text"] and "access-list" not in answer["text"], f"{path}: {answer['status']}"
    for method, path in (("GET", "/api/v1/keys?scope=all"), ("GET", "/api/v1/passcodes?scope=all")):
        answer = fetch(linus, method, path)
        assert answer["status"] in (200, 403), f"{path}: {answer}"
        assert state["grace_key"] not in answer["text"] and state["share_id"] not in answer["text"], f"{path} shows Grace's keys"
    for method, path in (("GET", f"/api/v1/keys/{state['share_id']}"), ("DELETE", f"/api/v1/keys/{state['grace_key']}"),
                         ("POST", f"/api/v1/keys/{state['grace_key']}/shares")):
        answer = fetch(linus, method, path, {"recipient": "x"} if method == "POST" else None)
        assert answer["status"] == 404 and "Grace" not in answer["text"], f"{method} {path}: {answer}"
    activity = fetch(linus, "GET", "/api/v1/activity?limit=200")
    assert activity["status"] == 200 and state["share_id"] not in activity["text"] and state["grace_key"] not in activity["text"]
    linus.get(BASE + "/guests")
    wait_text(linus, "access-status", "Nothing active", "Linus's empty guest list")
    linus.get(BASE + "/manage")
    assert linus.find_element(By.TAG_NAME, "h1").text == "Not for this account"
    checked_page(linus, "forbidden")


def admin_limits_share_validity_and_a_longer_share_is_refused():
    admin, grace = state["admin"], state["grace"]
    admin.get(BASE + "/policy")
    wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#binding-doors input[data-door=Front]"), "each door's device binding")
    Select(admin.find_element(By.ID, "policy-scope")).select_by_value("site")
    Select(admin.find_element(By.ID, "rule-longest_validity")).select_by_value("limit")
    amount = admin.find_element(By.ID, "rule-longest_validity-amount")
    amount.clear()
    amount.send_keys("1")
    Select(admin.find_element(By.ID, "rule-longest_validity-unit")).select_by_value("86400")
    admin.find_element(By.CSS_SELECTOR, "#policy-form button[type=submit]").click()
    wait_text(admin, "policy-status", "^Saved", "the policy to be saved")
    binding = admin.find_element(By.CSS_SELECTOR, "#binding-doors input[data-door=Front]")
    assert binding.is_selected(), "share links are bound to a device by default"
    front = binding.find_element(By.XPATH, "ancestor::li")
    binding.click()
    wait(admin, lambda d: "any device" in front.text, "the binding turned off")
    checked_page(admin, "policy")
    answer = fetch(admin, "GET", "/api/v1/doors/Front/device-binding")
    assert answer["status"] == 200 and '"required":false' in answer["text"], f"the binding as the API holds it: {answer}"
    admin.find_element(By.CSS_SELECTOR, "#binding-doors input[data-door=Front]").click()
    wait(admin, lambda d: "only on the device" in front.find_element(By.CSS_SELECTOR, ".status").text, "the binding back on")

    grace.get(BASE + "/share")
    wait(grace, lambda d: d.find_elements(By.CSS_SELECTOR, "#share-key option"), "the keys that may be shared")
    Select(grace.find_element(By.ID, "share-key")).select_by_value(state["grace_key"])
    grace.find_element(By.ID, "recipient").send_keys("week@example.org")
    grace.find_element(By.CSS_SELECTOR, "input[name=validity][value='1w']").click()
    grace.find_element(By.CSS_SELECTOR, "#share-form button[type=submit]").click()
    refusal = wait_text(grace, "share-status", "^No link made", "the policy's refusal")
    assert "may last at most 1d" in refusal and not grace.find_element(By.ID, "share-result").is_displayed(), f"the refusal: {refusal}"

    # Back to no limit, for the steps after this one.
    Select(admin.find_element(By.ID, "rule-longest_validity")).select_by_value("unlimited")
    admin.find_element(By.CSS_SELECTOR, "#policy-form button[type=submit]").click()
    wait_text(admin, "policy-status", "^Saved", "the policy to be saved again")
    answer = fetch(admin, "GET", "/api/v1/policy")
    assert json.loads(answer["text"])["site"]["longest_validity"] == "unlimited", f"the policy after the step: {answer}"


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver on loopback: keeps every delivery's signature header and body, answers 204."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received.append((self.headers.get("Keyway-Signature", ""), body.decode("utf-8", "replace")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def admin_adds_a_webhook_and_sees_it_delivered():
    admin = state["admin"]
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/keyway"
        admin.get(BASE + "/webhooks")
        wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#webhook-events input[value='access.granted']"), "the event types")
        # "all" (kinds added later included) stands alone: the named events are closed while it is ticked.
        every = admin.find_element(By.ID, "event-all")
        every.click()
        assert not admin.find_element(By.CSS_SELECTOR, "#webhook-events input[value='access.granted']").is_enabled(), "names beside all"
        every.click()
        admin.find_element(By.ID, "webhook-url").send_keys(url)
        admin.find_element(By.CSS_SELECTOR, "#webhook-events input[value='access.granted']").click()
        admin.find_element(By.CSS_SELECTOR, "#webhook-form button[type=submit]").click()
        wait(admin, lambda d: d.find_element(By.ID, "webhook-secret-box").is_displayed(), "the secret, shown once")
        assert re.fullmatch(r"[0-9a-f]{64}", admin.find_element(By.ID, "webhook-secret").get_attribute("value"))
        wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#webhook-list li h3"), "the new subscription in the list")

        unlocked = fetch(state["grace"], "POST", "/api/v1/doors/Front/unlock")
        assert unlocked["status"] == 200 and '"granted":true' in unlocked["text"], f"Grace's unlock: {unlocked}"
        WebDriverWait(None, WAIT, poll_frequency=0.2).until(
            lambda _: any("access.granted" in body and signature for signature, body in Receiver.received),
            message=f"waited {WAIT} s for the signed delivery at the receiver")

        # The list is redrawn on each refresh: an element read while it is replaced is read again on the next poll.
        def delivered(d):
            d.find_element(By.ID, "webhooks-refresh").click()
            time.sleep(0.5)
            return [row.text for row in d.find_elements(By.CSS_SELECTOR, "#webhook-list .deliveries li[data-state=delivered]")]
        row = WebDriverWait(admin, WAIT, poll_frequency=1, ignored_exceptions=(StaleElementReferenceException,)).until(
            delivered, message="the delivery shown as delivered")[0]
        assert "access.granted" in row and "Delivered" in row, f"the delivery row: {row}"
        WebDriverWait(admin, WAIT, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "Up to date" in d.find_element(By.CSS_SELECTOR, "#webhook-list .summary").text, message="the subscription up to date")
        checked_page(admin, "webhooks")
        WebDriverWait(admin, WAIT, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#webhook-list li button").click() or True, message="the remove button")
        wait_text(admin, "webhooks-status", "^Removed", "the subscription to be removed")
    finally:
        receiver.shutdown()
        receiver.server_close()


def staff_get_403_on_the_admins_pages():
    desk = state["guest"]  # Linus's browser: he logs out, the front desk logs in
    for path in ("/policy", "/webhooks"):
        answer = fetch(desk, "GET", path)
        assert answer["status"] == 403 and "-form" not in answer["text"], f"{path} for a resident: {answer['status']}"
    fetch(desk, "DELETE", "/api/v1/session")
    made = fetch(state["admin"], "POST", "/api/v1/users", {"email": "desk@example.org", "name": "Front desk", "role": "staff"})
    assert made["status"] == 201, f"adding the desk's account: {made}"
    link = json.loads(made["text"])["password_link"]["url"]
    set_password_and_log_in(desk, BASE + urlparse(link).path, "desk@example.org", "/manage")
    assert not desk.find_elements(By.CSS_SELECTOR, "nav a[href='/policy'], nav a[href='/webhooks']"), "staff are offered the admins' pages"
    for path, form in (("/policy", "policy-form"), ("/webhooks", "webhook-form")):
        answer = fetch(desk, "GET", path)
        assert answer["status"] == 403 and form not in answer["text"], f"{path} for staff: {answer['status']}"
        for api_path in ("/api/v1/webhooks", "/api/v1/webhook-events"):
            assert fetch(desk, "GET", api_path)["status"] == 403, f"{api_path} for staff"
    desk.get(BASE + "/policy")
    assert desk.find_element(By.TAG_NAME, "h1").text == "Not for this account"
    checked_page(desk, "forbidden-staff")


def steady(driver, condition, what):
    """wait() on a list the page redraws as it loads: an element replaced under the check is looked up again."""
    return WebDriverWait(driver, WAIT, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: condition(d), message=f"waited {WAIT} s for {what}")


def manager_finds_a_person_and_adds_a_card():
    admin = state["admin"]
    admin.get(BASE + "/people")
    wait_text(admin, "people-status", "shown|first 50", "the people list")
    admin.find_element(By.ID, "people-search").send_keys("lovel")
    admin.find_element(By.CSS_SELECTOR, "#people-search-form button[type=submit]").click()
    steady(admin, lambda d: [li.get_attribute("data-person") for li in d.find_elements(By.CSS_SELECTOR, "#people-list > li")] == ["Ada Lovelace"],
         "the search to find Ada Lovelace alone")
    admin.find_element(By.CSS_SELECTOR, "#people-list button.show-credentials").click()
    details = admin.find_element(By.CSS_SELECTOR, "#people-list section.details")
    steady(admin, lambda d: details.find_elements(By.CSS_SELECTOR, ".credentials li[data-kind=card]"), "Ada's cards")
    steady(admin, lambda d: d.switch_to.active_element == details, "the focus on Ada's credentials once opened")
    details.find_element(By.CSS_SELECTOR, "input[id^=card-facility]").send_keys("1")
    details.find_element(By.CSS_SELECTOR, "input[id^=card-number]").send_keys("2002")
    details.find_element(By.CSS_SELECTOR, ".card-form button[type=submit]").click()
    steady(admin, lambda d: "Added card h10301 1:2002" in details.find_element(By.CSS_SELECTOR, ".details-status").text, "the card's confirmation")
    steady(admin, lambda d: any("card h10301 1:2002" in li.text for li in details.find_elements(By.CSS_SELECTOR, ".credentials li[data-kind=card]")),
         "the new card in Ada's list")
    checked_page(admin, "people")


def manager_gives_a_person_a_new_code():
    """A per-person code rotated from the People page: the new code is shown once and opens the Front door."""
    admin = state["admin"]
    made = fetch(admin, "POST", "/api/v1/passcodes", {"person": "Ada Lovelace", "doors": ["Front"]})
    assert made["status"] == 201, f"Ada's code: {made}"
    old = json.loads(made["text"])["code"]
    admin.get(BASE + "/people")
    wait_text(admin, "people-status", "shown|first 50", "the people list")
    admin.find_element(By.ID, "people-search").send_keys("lovel")
    admin.find_element(By.CSS_SELECTOR, "#people-search-form button[type=submit]").click()
    steady(admin, lambda d: [li.get_attribute("data-person") for li in d.find_elements(By.CSS_SELECTOR, "#people-list > li")] == ["Ada Lovelace"],
           "the search to find Ada Lovelace alone")
    admin.find_element(By.CSS_SELECTOR, "#people-list button.show-credentials").click()
    details = admin.find_element(By.CSS_SELECTOR, "#people-list section.details")
    steady(admin, lambda d: details.find_elements(By.CSS_SELECTOR, ".credentials li[data-kind=passcode] button.rotate"),
           "the new-code button on Ada's passcode")[0].click()
    shown = steady(admin, lambda d: re.search(r"New code for Ada Lovelace: (\d+)", details.find_element(By.CSS_SELECTOR, ".details-status").text),
                   "the new code, shown once")
    new = shown.group(1)
    assert new != old, "the rotation kept the code"
    pulses = relay_pulses()
    keypad(new + "#")
    wait_pulses(pulses, "the new code to open the Front door")


def manager_moves_a_resident_in_and_out():
    admin = state["admin"]
    added = fetch(admin, "POST", "/api/v1/people", {"name": "Mo Mover"})
    assert added["status"] == 201, f"adding Mo Mover: {added}"
    admin.get(BASE + "/units")
    wait_text(admin, "units-status", "No unit yet|^$", "the units list")
    admin.find_element(By.ID, "unit-name").send_keys("7A")
    admin.find_element(By.CSS_SELECTOR, "#unit-form button[type=submit]").click()
    unit = steady(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#units-list li[data-unit='7A']"), "unit 7A in the list")[0]
    unit.find_element(By.CSS_SELECTOR, "form.move-in input").send_keys("Mo Mover")
    unit.find_element(By.CSS_SELECTOR, "form.move-in button").click()
    wait_text(admin, "units-status", "Mo Mover moved in to 7A", "the move-in")
    issued = fetch(admin, "POST", "/api/v1/keys", {"person": "Mo Mover", "doors": ["Front"]})
    assert issued["status"] == 201, f"a key for Mo Mover: {issued}"
    key = re.search(r'"id":"(key_[^"]+)"', issued["text"]).group(1)
    button = steady(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#units-list li[data-unit='7A'] button.move-out-person"), "Move Mo Mover out")[0]
    button.click()
    steady(admin, lambda d: d.find_element(By.ID, "move-out-confirm").is_displayed(), "the confirmation")
    assert "Mo Mover" in text(admin, "move-out-text") and "revoked" in text(admin, "move-out-text")
    checked_page(admin, "units-move-out")
    admin.find_element(By.ID, "move-out-yes").click()
    steady(admin, lambda d: d.find_element(By.ID, "move-out-result").is_displayed(), "the move-out's result")
    assert key in text(admin, "move-out-revoked"), f"the result lists the revoked key: {text(admin, 'move-out-revoked')}"
    steady(admin, lambda d: "Nobody lives here now" in d.find_element(By.CSS_SELECTOR, "#units-list li[data-unit='7A']").text, "7A empty")
    checked_page(admin, "units")


def admin_makes_a_token_and_sees_its_secret_once():
    admin = state["admin"]
    admin.get(BASE + "/users")
    steady(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#users-list li[data-user='admin@example.org']"), "the accounts")
    steady(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#token-doors input[value=Front]"), "the door choices")
    admin.find_element(By.ID, "token-name").send_keys("front desk tablet")
    Select(admin.find_element(By.ID, "token-role")).select_by_value("staff")
    admin.find_element(By.CSS_SELECTOR, "#token-doors input[value=Front]").click()
    admin.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()
    steady(admin, lambda d: d.find_element(By.ID, "token-result").is_displayed(), "the token's secret")
    secret = admin.find_element(By.ID, "token-secret").get_attribute("value")
    assert secret.startswith("kwt_"), f"the secret: {secret[:4]}…"
    item = steady(admin, lambda d: [li for li in d.find_elements(By.CSS_SELECTOR, "#tokens-list li") if "front desk tablet" in li.text], "the token listed")[0]
    assert "never used" in item.text and "doors: Front" in item.text, f"the token's row: {item.text}"
    checked_page(admin, "users")
    admin.get(BASE + "/users")
    item = steady(admin, lambda d: [li for li in d.find_elements(By.CSS_SELECTOR, "#tokens-list li") if "front desk tablet" in li.text], "the token listed again")[0]
    assert secret not in admin.page_source and not admin.find_element(By.ID, "token-secret").get_attribute("value"), "the secret is shown again"
    item.find_element(By.CSS_SELECTOR, "button.revoke").click()
    wait_text(admin, "tokens-status", "Revoked front desk tablet", "the token's revocation")


def a_resident_gets_the_403_page_on_the_manager_people_pages():
    linus = state["guest"]
    for path, mark in (("/people", "people-list"), ("/units", "units-list"), ("/users", "token-form")):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and mark not in answer["text"], f"{path}: {answer['status']}"
        linus.get(BASE + path)
        assert linus.find_element(By.TAG_NAME, "h1").text == "Not for this account", f"{path} shows a resident the page"
    for path in ("/api/v1/people/Grace%20Hopper/credentials", "/api/v1/users", "/api/v1/tokens?all=true"):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and "card h10301" not in answer["text"], f"{path}: {answer}"


def card_at_front(number):
    """Ada's (1001) or another demo card swiped at the Front door's reader; the decision is read from the log."""
    env = dict(os.environ, KEYWAY_SOCKET=os.path.join(WORK, "var/demo/control.sock"))
    subprocess.run([KEYWAY, "sim", "card", "--reader", "front-reader", "--format", "h10301", "--facility", "1", "--card", str(number)],
                   env=env, check=False, capture_output=True, timeout=WAIT)


def front_state(driver):
    cards = driver.find_elements(By.CSS_SELECTOR, "#site-doors li[data-door=Front]")
    return cards[0].get_attribute("data-state") if cards else None


def front_answer(driver, pattern, what):
    return wait(driver, lambda d: re.search(pattern, d.find_element(By.CSS_SELECTOR, "#site-doors li[data-door=Front] .answer").text), what)


def manager_locks_the_front_door_down_and_back():
    admin = state["admin"]
    admin.get(BASE + "/site-doors")
    wait(admin, lambda d: front_state(d) == "locked", "the Front door, locked, on the Doors page")
    front = admin.find_element(By.CSS_SELECTOR, "#site-doors li[data-door=Front]")
    assert "online" in front.text and "secure channel on" in front.text, f"the Front door's reader: {front.text}"
    seconds = front.find_element(By.CSS_SELECTOR, "input[type=number]")
    seconds.clear()
    seconds.send_keys("0")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Not done: .*1 to 6553", "the bound on a timed unlock, in words")
    front.find_element(By.CSS_SELECTOR, "button.lockdown").click()
    front_answer(admin, "Done: Front is now lockdown", "the lockdown's answer")
    wait(admin, lambda d: front_state(d) == "locked_down", "the Doors page to show the lockdown")
    checked_page(admin, "site-doors")
    pulses = relay_pulses()
    card_at_front(1001)
    refused = wait(admin, lambda d: re.search(r'"reason":"door_locked_down"', fetch(d, "GET", "/api/v1/activity?door=Front&limit=1")["text"]),
                   "Ada's card refused as locked down")
    assert refused and relay_pulses() == pulses, "a card moved the relay of a locked-down door"
    seconds.clear()
    seconds.send_keys("2")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Not done: .*lockdown", "a timed unlock refused during the lockdown")
    front.find_element(By.CSS_SELECTOR, "button.normal").click()
    front_answer(admin, "Done: Front is now card_or_pin", "the answer to back to normal")
    wait(admin, lambda d: front_state(d) == "locked", "the Doors page to show the door back to normal")
    front.find_element(By.CSS_SELECTOR, ".door-unlock button").click()
    front_answer(admin, "Done: Front unlocked for 2", "the timed unlock's answer")
    wait_pulses(pulses, "the relay command at the PD for the timed unlock")


def wrong_codes_lock_a_keypad_and_the_alert_appears_live():
    admin = state["admin"]
    admin.get(BASE + "/alerts")
    wait_text(admin, "alerts-live", "^Live", "the live alerts to connect")
    for _ in range(5):
        keypad("13579#", reader="side")  # the Side door's Wiegand keypad: the Front keypad stays usable
    alert = wait(admin, lambda d: d.find_elements(By.CSS_SELECTOR, "#alerts li[data-kind=keypad_lockout]"), "the lockout alert, live")[0]
    assert "Keypad locked after wrong codes" in alert.text and "Side" in alert.text, f"the alert says: {alert.text}"
    checked_page(admin, "alerts")
    alert.find_element(By.CSS_SELECTOR, "button.acknowledge").click()
    wait(admin, lambda d: "Acknowledged by Site admin" in d.find_element(By.CSS_SELECTOR, "#alerts li[data-kind=keypad_lockout]").text,
         "the acknowledgement, with who made it")
    linus = state["guest"]  # a resident, logged in
    for path in ("/site-doors", "/alerts"):
        answer = fetch(linus, "GET", path)
        assert answer["status"] == 403 and "site-doors.js" not in answer["text"] and "alerts.js" not in answer["text"], f"{path}: {answer['status']}"
    assert fetch(linus, "GET", "/api/v1/alerts")["status"] == 403


STEPS = [manager_logs_in, manager_makes_a_single_use_passcode, the_code_opens_once_and_the_log_shows_it_live,
         resident_unlocks_and_shares, a_link_by_sms_and_a_code_by_email_reach_the_outbox, the_guest_link_unlocks_in_a_fresh_profile,
         the_same_link_in_a_second_profile_is_refused, the_resident_allows_the_second_device, revoked_the_guests_next_tap_says_so,
         another_resident_sees_nothing_of_it,
         manager_locks_the_front_door_down_and_back,
         wrong_codes_lock_a_keypad_and_the_alert_appears_live,
         manager_finds_a_person_and_adds_a_card,
         manager_gives_a_person_a_new_code,
         manager_moves_a_resident_in_and_out,
         admin_makes_a_token_and_sees_its_secret_once,
         a_resident_gets_the_403_page_on_the_manager_people_pages,
         admin_limits_share_validity_and_a_longer_share_is_refused,
         admin_adds_a_webhook_and_sees_it_delivered,
         staff_get_403_on_the_admins_pages]


def measure_page_loads():
    """Each page checked loaded LOAD_AGAIN more times in the browser that saw it, unless its address holds a one-time
    secret (a set-password or share link) or now leads elsewhere (the login page once logged in); then the figures and
    the screenshots' manifest are written."""
    started = time.monotonic()
    for name, page in pages.items():
        if "/set-password/" in page["url"] or "/k/" in page["url"]:
            continue
        driver = page["driver"]
        for _ in range(LOAD_AGAIN):
            driver.get(page["url"])
            if driver.current_url != page["url"]:
                break
            page["loads"].append(load_figures(driver))
    print(f"page-load: the pages loaded again in {time.monotonic() - started:.1f} s", flush=True)
    machine = {"cpus": os.cpu_count(), "load_average_at_start": LOAD_AT_START, "load_average_at_end": os.getloadavg(),
               "browser": "Chromium " + next(iter(pages.values()))["driver"].capabilities.get("browserVersion", "?") if pages else None}
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        machine["cpu"] = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    figures = {}
    for name, page in pages.items():
        shown = sorted(load["shown"] for load in page["loads"] if load)
        figures[name] = {"path": page["path"], "samples": len(shown), "unsettled": sum(1 for load in page["loads"] if not load),
                         "shown_ms_p50": shown[(len(shown) - 1) // 2] if shown else None,
                         "shown_ms_max": shown[-1] if shown else None, "loads": page["loads"]}
        print(f"page-load {name} ({page['path']}): shown p50 {figures[name]['shown_ms_p50']} ms, max {figures[name]['shown_ms_max']} ms, "
              f"{len(shown)} loads", flush=True)
    with open(os.path.join(ARTIFACTS, "page-load.json"), "w", encoding="utf-8") as out:
        json.dump({"definition": "ms from navigation start until the first frame after the load event and after the last "
                                 "API call made on load answered (no call started within 100 ms after it)",
                   "machine": machine, "pages": figures}, out, indent=2)
    with open(os.path.join(ARTIFACTS, "screenshots.json"), "w", encoding="utf-8") as out:
        json.dump({name: {key: page[key] for key in ("title", "path", "audience")} for name, page in pages.items()}, out, indent=2)


def main():
    passed = failed = 0
    try:
        for index, step in enumerate(STEPS):
            try:
                step()
                passed += 1
                print(f"ok - {step.__name__}", flush=True)
            except Exception:
                failed += len(STEPS) - index
                for number, (driver, _) in enumerate(browsers):
                    driver.save_screenshot(os.path.join(ARTIFACTS, f"failure-{step.__name__}-{number}.png"))
                    print(f"browser {number} at {driver.current_url}: {driver.find_element(By.TAG_NAME, 'main').text[:600]!r}")
                print(f"FAILED - {step.__name__}\n{traceback.format_exc()}", flush=True)
                for later in STEPS[index + 1:]:
                    print(f"not run - {later.__name__} (it builds on the failed step)", flush=True)
                break
        if failed == 0:
            measure_page_loads()
    finally:
        for driver, profile in browsers:
            try:
                driver.quit()
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshots: {ARTIFACTS}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
