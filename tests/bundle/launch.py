#!/usr/bin/env python3
"""Starts a built bundle the way Claude Desktop does, and lists its tools.

Usage: launch.py BUNDLE.mcpb

The app unpacks the bundle, takes the manifest's `server.mcp_config`, replaces `${__dirname}`
with the unpacked directory and `${user_config.KEY}` with the user's settings over the
manifest's defaults (booleans as "true"/"false"; a key with neither stays as written), then
runs the command with that environment. This follows the reference implementation,
`getMcpConfigForManifest` and `replaceVariables` in
https://github.com/modelcontextprotocol/mcpb/blob/main/src/shared/config.ts.

Checks, each a line of the summary:
- with the sample workspace turned on: initialize, tools/list lists the manifest's tools
  (16), and a read tool answers;
- with every setting at its default (no token): the server starts, lists the same tools, and
  the first call says which setting to fill.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import zipfile

TOOLS = 16


def unpack(bundle, into):
    """Unzips, keeping each entry's Unix permissions (Python's zipfile drops them)."""
    with zipfile.ZipFile(bundle) as archive:
        for entry in archive.infolist():
            path = archive.extract(entry, into)
            mode = entry.external_attr >> 16
            if mode:
                os.chmod(path, mode & 0o777)


def substitute(value, variables):
    if isinstance(value, str):
        for key, replacement in variables.items():
            value = value.replace("${" + key + "}", replacement)
        return value
    if isinstance(value, list):
        return [substitute(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, variables) for key, item in value.items()}
    return value


def server_config(manifest, directory, settings):
    merged = {
        key: option["default"]
        for key, option in manifest.get("user_config", {}).items()
        if "default" in option
    }
    merged.update(settings)
    variables = {"__dirname": directory, "/": os.sep, "pathSeparator": os.sep}
    for key, value in merged.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        variables["user_config." + key] = str(value)
    return substitute(manifest["server"]["mcp_config"], variables)


class Server:
    """The bundle's server over stdio: one JSON-RPC message a line."""

    def __init__(self, config, directory):
        # The app's own environment, without any Intercom setting of the developer's.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("INTERCOM_") and key not in ("accessToken", "intercomRegion")
        }
        env.update(config.get("env", {}))
        self.process = subprocess.Popen(
            [config["command"], *config.get("args", [])],
            cwd=directory,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.next_id = 0
        # No answer within a minute ends the server, and so the check, instead of hanging.
        self.watchdog = threading.Timer(60, self.process.kill)
        self.watchdog.daemon = True
        self.watchdog.start()

    def send(self, method, params=None, notify=False):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if not notify:
            self.next_id += 1
            message["id"] = self.next_id
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        if notify:
            return None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("stdout closed: " + self.process.stderr.read())
            answer = json.loads(line)  # stdout holds JSON-RPC only
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer["result"]

    def start(self):
        self.send(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "bundle-launch-test", "version": "1"},
            },
        )
        self.send("notifications/initialized", notify=True)

    def close(self):
        self.watchdog.cancel()
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        finally:
            self.process.kill()
        return self.process.returncode


def text_of(result):
    return " ".join(block.get("text", "") for block in result.get("content", []))


def check_sandbox(manifest, directory):
    server = Server(server_config(manifest, directory, {"sandbox": True}), directory)
    server.start()
    listed = server.send("tools/list")["tools"]
    names = [tool["name"] for tool in listed]
    assert len(names) == TOOLS, f"{len(names)} tools: {names}"
    assert names == [tool["name"] for tool in manifest["tools"]], names
    first = names[0]
    result = server.send("tools/call", {"name": first, "arguments": {}})
    assert not result.get("isError"), text_of(result)
    assert server.close() == 0


def check_without_token(manifest, directory):
    config = server_config(manifest, directory, {})
    assert not any("${" in value for value in config.get("env", {}).values()), config
    server = Server(config, directory)
    server.start()
    names = [tool["name"] for tool in server.send("tools/list")["tools"]]
    assert len(names) == TOOLS, names
    result = server.send("tools/call", {"name": names[0], "arguments": {}})
    said = text_of(result)
    assert result.get("isError"), said
    assert re.search(r"accessToken|INTERCOM_ACCESS_TOKEN", said), said
    assert server.close() == 0


def main():
    bundle = sys.argv[1]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as directory:
        unpack(bundle, directory)
        with open(os.path.join(directory, "manifest.json")) as file:
            manifest = json.load(file)
        assert len(manifest["tools"]) == TOOLS, manifest["tools"]
        for check in (check_sandbox, check_without_token):
            try:
                check(manifest, directory)
                print(f"ok: {check.__name__}")
                passed += 1
            except Exception as error:  # report every check, then fail
                print(f"FAILED: {check.__name__}: {error}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
