#!/usr/bin/env python3
"""A Switchyard worker in Python with only the standard library: register, long-poll, report, and on
SIGTERM or Ctrl-C finish the task in hand, then unregister. SWITCHYARD_URL, SWITCHYARD_TOKEN."""
import json, os, signal, urllib.error, urllib.parse, urllib.request

URL = os.environ.get("SWITCHYARD_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ.get("SWITCHYARD_TOKEN")
QUEUES = os.environ.get("QUEUES", "email,points")
stopping = False


def call(method, path, body=None):
    req = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if TOKEN:
        req.add_header("authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=40) as res:
        return json.loads(res.read() or b"null")


def handle(task):
    """The work itself: return a result (a success) or raise (a fail with the message as reason)."""
    if task["data"].get("fail"):
        raise ValueError("asked to fail")
    return {"handled_by": "python", "queue": task["queue"]}


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
worker_id = call("PUT", "/worker", {"queues": QUEUES, "name": "python example"})["workerId"]
print("worker", worker_id, "on", QUEUES, flush=True)
while not stopping:
    try:
        task = call("GET", "/task?" + urllib.parse.urlencode({"workerId": worker_id, "wait": 2}))["task"]
    except (urllib.error.URLError, OSError):
        continue  # the broker restarting: ask again
    if task is None:
        continue
    report = {"workerId": worker_id, "taskId": task["taskId"]}
    try:
        report.update(state="success", result=handle(task))
    except Exception as e:  # noqa: BLE001 - any failure of the work is the task's failure
        report.update(state="fail", failReason=str(e))
    call("POST", "/task", report)
call("DELETE", "/worker?" + urllib.parse.urlencode({"workerId": worker_id}))
print("stopped", flush=True)
