"""`masthead front-config`: the nginx site file, checked by nginx and run in front of
`masthead serve` (docs/operations.md, "nginx in front").

The live tests start Debian's nginx (installed by bin/test) with the printed file,
in front of a real `masthead serve` on loopback, and check what the front must
never get wrong: a signed-in request never reads a kept copy, a private answer is
never kept, a withdrawal reaches readers within the poll plus the front's second,
and an oversize upload still gets Masthead's own message.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from masthead.cli import main
from masthead.tests.test_serve_supervisor import (
    answers,
    free_port,
    stop_group,
    wait_for,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf(folder, site: str) -> str:
    """A whole nginx.conf around ``site``, everything in ``folder`` (no root needed)."""
    temp = folder / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(site)
    conf = folder / "nginx.conf"
    # As root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        textwrap.dedent(
            f"""\
            {user}
            worker_processes 1;
            pid {folder}/nginx.pid;
            error_log {folder}/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                access_log off;
                client_body_temp_path {temp / "body"};
                proxy_temp_path {temp / "proxy"};
                fastcgi_temp_path {temp / "fastcgi"};
                uwsgi_temp_path {temp / "uwsgi"};
                scgi_temp_path {temp / "scgi"};
                include {folder}/site.conf;
            }}
            """
        )
    )
    return str(conf)


def front_config(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "masthead", "front-config", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def nginx_check(conf: str, folder) -> subprocess.CompletedProcess:
    assert os.path.exists(NGINX), "nginx is not installed: bin/test installs Debian's nginx"
    return subprocess.run(
        [NGINX, "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c", conf],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--server-name", "news.example.com", "--server-name", "fa.example.com"],
        ["--upstream", "unix:/run/masthead/serve.sock", "--cache-seconds", "5"],
        *[["--certificate", "{certificate}", "--certificate-key", "{key}"]],
    ],
    ids=["defaults", "hosts", "socket", "tls"],
)
def test_the_site_file_passes_nginx_own_check(server_env, tmp_path, args):
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if "--certificate" in args:
        openssl = shutil.which("openssl") or "/usr/bin/openssl"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=news.example.com", "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    args = [arg.format(certificate=certificate, key=key) for arg in args]
    cache = tmp_path / "cache"
    listen = str(free_port())
    result = front_config(*args, "--cache-dir", str(cache), "--listen", listen, env=server_env)
    assert result.returncode == 0, result.stderr
    site = result.stdout
    # Masthead's own session cookie, and a body limit above Masthead's own (25 MB).
    assert "map $cookie_sessionid $masthead_signed_in" in site
    assert "client_max_body_size 27m;" in site
    checked = nginx_check(nginx_conf(tmp_path / "nginx", site), tmp_path / "nginx")
    assert checked.returncode == 0, checked.stderr + site
    if "--certificate" in args:
        assert "return 301 https://$host$request_uri;" in site
        assert f"ssl_certificate {certificate};" in site


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--server-name", "news.example.com;include /etc/shadow"], "is not a host name"),
        (["--server-name", "news.example.com\n}"], "is not a host name"),
        (["--server-name", "a b"], "is not a host name"),
        (["--server-name", "news.example.com\n"], "is not a host name"),
        (["--upstream", "127.0.0.1:8000\n"], "is not an address of masthead serve"),
        (["--cache-dir", "/var/cache/masthead\n"], "is not an absolute path"),
        (["--server-name", ""], "is not a host name"),
        (["--upstream", "127.0.0.1:8000; evil"], "is not an address of masthead serve"),
        (["--upstream", "127.0.0.1:0"], "is not an address of masthead serve"),
        (["--upstream", "127.0.0.1:70000"], "is not an address of masthead serve"),
        (["--upstream", "unix:relative.sock"], "is not an absolute path"),
        (["--listen", "eighty"], "is not a port"),
        (["--cache-dir", "cache"], "is not an absolute path"),
        (["--cache-dir", "/var/cache/../../etc"], "is not an absolute path"),
        (["--cache-dir", "/var/cache/a b"], "is not an absolute path"),
        (["--cache-dir", "/var/cache/x;"], "is not an absolute path"),
        (["--cache-seconds", "0"], "from 1 to 60"),
        (["--cache-seconds", "61"], "from 1 to 60"),
        (["--cache-seconds", "1.5"], "from 1 to 60"),
        (["--certificate", "/etc/ssl/site.pem"], "a certificate needs its key"),
        (["--certificate-key", "/etc/ssl/site.key"], "a certificate needs its key"),
    ],
)
def test_front_config_refuses_a_value_that_would_change_the_file(capsys, args, says):
    try:
        code = main(["front-config", *args])
    except SystemExit as exit:  # argparse's own refusal
        code = exit.code
    printed = capsys.readouterr()
    assert code == 2
    assert says in printed.err
    assert "Traceback" not in printed.err
    assert printed.out == ""  # nothing half-written to redirect into nginx's folder


# Live: nginx with the printed file in front of `masthead serve` --------------------------

STORY = """
from masthead.factories import make_desk, make_staff, take_to
from masthead.newsroom.models import StaffRole
from masthead.stories import services
from masthead.stories.services import Content
desk = make_desk("Politics")
editor = make_staff(StaffRole.Role.DESK_EDITOR, desk, username="front-editor")
content = Content(headline="Parliament passes the budget", desk=desk, body="<p>By 152 votes.</p>")
story = take_to(editor, services.create_story(editor, content), "published")
from masthead.api.services import issue_token
print(story.get_absolute_url(), issue_token(editor, "front").raw)
"""

WITHDRAW = """
from django.contrib.auth import get_user_model
from masthead.stories import services
from masthead.stories.models import Story
editor = get_user_model().objects.get(username="front-editor")
story = Story.objects.get(headline="Parliament passes the budget")
services.withdraw_story(editor, story, "Legal advice")
"""


def manage_shell(env, code: str) -> str:
    argv = [sys.executable, "-m", "masthead", "manage", "shell", "--no-imports", "-c", code]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def front(server_env, tmp_path):
    """(front URL, story path, env, staff API token): nginx by `masthead front-config`
    before `masthead serve`."""
    env = {
        **server_env,
        "BEHIND_PROXY": "true",
        # Small limits, so the oversize upload below is a few megabytes.
        "MAX_IMAGE_BYTES": str(1024 * 1024),
        "DATA_UPLOAD_MAX_MEMORY_SIZE": str(1024 * 1024),
    }
    path, token = manage_shell(env, STORY).split()
    serve_port, front_port = free_port(), free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "masthead", "serve", "--host", "127.0.0.1",
             "--port", str(serve_port), "--workers", "1", "--threads", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    folder = tmp_path / "nginx"
    nginx = None
    try:
        assert wait_for(lambda: answers(f"http://127.0.0.1:{serve_port}/healthz"), 90)
        printed = front_config(
            "--upstream", f"127.0.0.1:{serve_port}", "--listen", f"127.0.0.1:{front_port}",
            "--cache-dir", str(tmp_path / "cache"), env=env,
        )  # fmt: skip
        assert printed.returncode == 0, printed.stderr
        conf = nginx_conf(folder, printed.stdout)
        assert nginx_check(conf, folder).returncode == 0
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", conf,
             "-g", "daemon off;"],
            start_new_session=True,
        )  # fmt: skip
        assert wait_for(lambda: answers(f"http://127.0.0.1:{front_port}/healthz"), 30)
        yield f"http://127.0.0.1:{front_port}", path, env, token
    finally:
        if nginx is not None:
            stop_group(nginx)
        stop_group(serve)


def fetch(url: str, method: str = "GET", data: bytes | None = None, **headers):
    request = urllib.request.Request(url, method=method, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_nginx_keeps_public_pages_and_never_a_signed_in_or_private_answer(front):
    base, path, _, _ = front
    status, headers, first = fetch(base + path)
    assert status == 200 and b"Parliament passes the budget" in first
    status, headers, again = fetch(base + path)
    assert headers["X-Front-Cache"] == "HIT" and again == first
    # A request with a session cookie goes to Masthead, never to the kept copy.
    status, headers, _ = fetch(base + path, Cookie="sessionid=abc123")
    assert status == 200 and headers["X-Front-Cache"] == "BYPASS"
    # Private answers (the sign-in page: a form with a CSRF token; staff redirects) are never kept.
    for address in ("/account/login/", "/desk/"):
        seen = set()
        for _ in range(3):
            opener = urllib.request.build_opener(NoRedirect)
            try:
                response = opener.open(base + address, timeout=30)
            except urllib.error.HTTPError as error:
                response = error
            assert "no-store" in response.headers["Cache-Control"]
            seen.add(response.headers["X-Front-Cache"])
        assert seen == {"MISS"}, (address, seen)
    # Credentials (the staff API's tokens) go to Masthead too.
    status, headers, _ = fetch(base + "/", Authorization="Bearer not-a-token")
    assert headers["X-Front-Cache"] == "BYPASS"


def test_a_withdrawal_reaches_readers_behind_the_front_within_a_few_seconds(front):
    base, path, env, _ = front
    assert fetch(base + path)[0] == 200
    assert fetch(base + path)[1]["X-Front-Cache"] == "HIT"
    withdrawn = time.monotonic()
    manage_shell(env, WITHDRAW)
    # The poll (250 ms) plus the front's one second, with room for a busy machine.
    assert wait_for(lambda: fetch(base + path)[0] == 410, 10), "the withdrawn story stayed"
    took = time.monotonic() - withdrawn
    for _ in range(5):  # and it does not come back from an older copy
        status, _, body = fetch(base + path)
        assert status == 410 and b"Legal advice" in body
        time.sleep(0.3)
    home = fetch(base + "/")[2]
    assert b"Parliament passes the budget" not in home, took


def test_an_oversize_body_gets_masthead_s_own_answer_through_the_front(front):
    base, _, _, token = front
    # Masthead's limit here: 1 MB of fields (1 MB image + 1 MB with files); nginx's, 4 MB.
    status, headers, body = fetch(
        base + "/api/desk/stories",
        method="POST",
        data=b'{"headline": "' + b"x" * (3 * 1024 * 1024) + b'"}',
        **{"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert status == 413
    assert headers["Content-Type"].startswith("application/problem+json")
    assert b"1 MB" in body
    # Past nginx's own limit, nginx answers; nothing reaches Masthead.
    status, _, body = fetch(
        base + "/api/desk/stories",
        method="POST",
        data=b"x" * (5 * 1024 * 1024),
        **{"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert status == 413 and b"nginx/" not in body  # server_tokens off: no version


def test_slow_bodies_wait_in_nginx_not_in_masthead_s_threads(front):
    """More bodies at one byte a second than `masthead serve` has threads (1 × 2 here):
    without the front they would hold every thread (E8, docs/operations.md); behind it
    nginx keeps them until they are whole, and the site answers meanwhile."""
    base, _, _, _ = front
    host, port = base.removeprefix("http://").split(":")
    # With the form's CSRF cookie, so that Django reads the body (without one it
    # answers 403 at once and no thread waits: checked, the test then proves nothing).
    _, headers, _ = fetch(base + "/account/login/")
    cookie = next(
        value.split(";")[0]
        for name, value in headers.items()
        if name.lower() == "set-cookie" and value.startswith("csrftoken=")
    )
    slow = []
    try:
        for _ in range(4):
            connection = socket.create_connection((host, int(port)), timeout=10)
            connection.sendall(
                f"POST /account/login/ HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}"
                "\r\nContent-Type: application/x-www-form-urlencoded"
                "\r\nContent-Length: 100\r\n\r\n".encode()
            )
            slow.append(connection)
        answered = []
        for _ in range(6):
            for connection in slow:
                connection.sendall(b"x")
            began = time.monotonic()
            assert answers(base + "/healthz")
            assert fetch(base + "/")[0] == 200
            answered.append(time.monotonic() - began)
            time.sleep(1)
        assert max(answered) < 2, answered
    finally:
        for connection in slow:
            connection.close()
