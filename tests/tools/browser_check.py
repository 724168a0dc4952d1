#!/usr/bin/env python3
"""Opens an HTML file in headless Chromium and reports what a reader would see go wrong.

Usage: browser_check.py PAGE.html SCREENSHOT.png [WIDTH [Y0:Y1]]

Talks the Chrome DevTools Protocol over --remote-debugging-pipe (file descriptors 3 and 4,
messages ending in NUL), so it needs nothing but python3 and Debian's chromium. It loads the
page, waits for the load event, then prints one JSON object:
  images      number of <img> elements
  broken      the src of every image that did not load (complete and naturalWidth > 0)
  errors      console errors, uncaught exceptions, failed resource loads, error log entries
  sections    the ids of the page's <section> elements
  overflow    elements wider than the page (content cut off or a horizontal scroll)
  height      the page's height in CSS pixels
and writes a full-page screenshot (or of the band Y0..Y1 of the page, to look at a part). Exit status 0 when nothing is broken and no error was
seen, 1 otherwise, 2 when the browser could not be driven.
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60


class Browser:
    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="mqlcal-chromium-")
        self.log = open(os.path.join(self.profile, "stderr.log"), "wb")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # the child reads commands on fd 3 and writes replies on fd 4
        def child_fds():
            # via fds above 4, so that neither dup2 overwrites the other's source
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            preexec_fn=child_fds, pass_fds=(3, 4, to_chrome_r, from_chrome_w))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        want = self.send(method, params, session)
        deadline = time.time() + TIMEOUT
        while True:
            msg = self.read(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, deadline):
        for i, e in enumerate(self.events):
            if e.get("method") == name:
                return self.events.pop(i)
        while True:
            msg = self.read(deadline)
            if msg.get("method") == name:
                return msg
            self.events.append(msg)

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def errors_in(events):
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                               for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            out.append("exception: " + p.get("exceptionDetails", {}).get("text", ""))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append("log: %s (%s)" % (p["entry"].get("text", ""), p["entry"].get("url", "")))
        elif m == "Network.loadingFailed":
            out.append("load failed: %s (%s)" % (p.get("errorText", ""), p.get("requestId", "")))
    return out


PROBE = """(() => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
  const sections = Array.from(document.querySelectorAll('section')).map(s => s.id);
  const W = document.documentElement.clientWidth;
  const overflow = Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > W + 1 && !e.closest('.tw'))
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
  return JSON.stringify({images: imgs.length, broken, sections,
                         overflow: overflow.slice(0, 10),
                         height: document.documentElement.scrollHeight});
})()"""


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    page, shot = os.path.abspath(sys.argv[1]), sys.argv[2]
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1280
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("browser_check: no chromium", file=sys.stderr)
        return 2
    b = Browser(exe)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            b.call(domain + ".enable", session=s)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
               session=s)
        b.call("Page.navigate", {"url": "file://" + page}, session=s)
        b.wait_event("Page.loadEventFired", time.time() + TIMEOUT)
        res = json.loads(b.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True},
                                session=s)["result"]["value"])
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": width, "height": min(int(res["height"]), 16000),
                "deviceScaleFactor": 1, "mobile": False}, session=s)
        shot_params = {"format": "png", "captureBeyondViewport": True}
        if len(sys.argv) > 4:
            y0, y1 = (float(v) for v in sys.argv[4].split(":"))
            shot_params["clip"] = {"x": 0, "y": y0, "width": width, "height": y1 - y0, "scale": 1}
        data = b.call("Page.captureScreenshot", shot_params, session=s)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(data))
        time.sleep(0.2)
        b.call("Runtime.evaluate", {"expression": "1"}, session=s)  # drain pending events
        res["errors"] = errors_in(b.events)
    except Exception as e:  # the browser could not be driven
        print("browser_check: %s" % e, file=sys.stderr)
        return 2
    finally:
        b.close()
    print(json.dumps(res))
    return 1 if res["broken"] or res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
