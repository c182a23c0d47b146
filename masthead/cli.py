"""The `masthead` command: everything an operator runs.

Built on argparse (standard library) and Django's management commands; the
production server is granian, a Rust HTTP server that runs our WSGI app
(why granian: docs/operations.md, with the measurement).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from masthead import front_config
from masthead.serve_supervisor import supervise

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="masthead",
        description=(
            "Masthead, the newsroom publishing platform. Configuration comes from "
            "environment variables (see docs/configuration.md); --data sets MASTHEAD_DATA_DIR."
        ),
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="data folder (SQLite database, media, secret key); default ./masthead-data",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="set up a data folder with the demo outlet and serve it",
        description=(
            "Create the data folder, migrate the database, load the demo outlet "
            "(Iran Front Page) with demo staff accounts, then serve it on "
            f"http://{DEMO_HOST}:{DEMO_PORT}/ and print the logins. Safe to run again."
        ),
    )
    demo.add_argument("--host", default=DEMO_HOST, help=f"address to bind (default {DEMO_HOST})")
    demo.add_argument("--port", type=int, default=DEMO_PORT, help=f"port (default {DEMO_PORT})")
    demo.add_argument(
        "--no-serve", action="store_true", help="set everything up, then exit instead of serving"
    )

    serve = commands.add_parser(
        "serve",
        help="run the production server (granian)",
        description=(
            "Serve Masthead with granian. Collects static files first and refuses to "
            "start while database migrations are pending (run `masthead manage migrate`)."
        ),
    )
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS", os.cpu_count() or 1)),
        help="worker processes (default: one per CPU core, or WEB_WORKERS)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS", "4")),
        help="request threads per worker (default 4, or WEB_THREADS)",
    )
    serve.add_argument(
        "--stop-timeout",
        type=_stop_seconds,
        default=os.environ.get("WEB_STOP_TIMEOUT", "10"),  # a string: argparse checks it too
        help=(
            "seconds a worker has to finish its requests after SIGTERM before it is killed "
            "(default 10, or WEB_STOP_TIMEOUT)"
        ),
    )

    commands.add_parser(
        "check",
        help="check the deployment: Django's deploy check, dependency floors (exit 1 on a finding)",
        description=(
            "Run Django's `check --deploy --fail-level WARNING` and Masthead's checks "
            "(libraries at or above their lowest safe release). Without HTTPS=true, the "
            "four warnings that only say there is no TLS are silenced, and listed "
            "(docs/operations.md, masthead/deploy_checks.py)."
        ),
    )

    front = commands.add_parser(
        "front-config",
        help="print an nginx site file for running nginx in front of `masthead serve`",
        description=(
            "Print an nginx site file (for /etc/nginx/sites-enabled/) that proxies to "
            "`masthead serve`, buffers request bodies, and keeps public pages for a second "
            "so that nginx answers the reads of a traffic spike (docs/operations.md, "
            "'nginx in front'). Run Masthead with BEHIND_PROXY=true behind it."
        ),
    )
    front.add_argument(
        "--server-name",
        dest="server_names",
        action="append",
        type=front_config.server_name,
        metavar="HOST",
        help="a host to answer for; repeat for more (default: ALLOWED_HOSTS)",
    )
    front.add_argument(
        "--upstream",
        type=front_config.upstream,
        default=f"127.0.0.1:{os.environ.get('PORT', '8000')}",
        help="where `masthead serve` listens: HOST:PORT or unix:/path (default 127.0.0.1:$PORT)",
    )
    front.add_argument(
        "--listen", type=front_config.listen, default="80", help="port or ADDRESS:PORT (80)"
    )
    front.add_argument(
        "--cache-dir",
        type=front_config.absolute_path,
        default="/var/cache/nginx/masthead",
        help="nginx's folder for the kept pages (default /var/cache/nginx/masthead)",
    )
    front.add_argument(
        "--cache-seconds",
        type=front_config.cache_seconds,
        default=1,
        help="how long nginx keeps a public page, 1-60 (default 1)",
    )
    front.add_argument("--certificate", type=front_config.absolute_path, metavar="PEM")
    front.add_argument("--certificate-key", type=front_config.absolute_path, metavar="PEM")

    worker = commands.add_parser(
        "worker",
        help="run background work: wire polling, purges, e-mail (docs/operations.md)",
        description="Run a background worker; run as many as you like, on any machine.",
        add_help=False,
    )
    worker.add_argument("args", nargs=argparse.REMAINDER)

    importer = commands.add_parser(
        "import",
        help="import content: `import wordpress EXPORT.xml`, `import page FILE_OR_URL`",
        description="Import a WordPress export or a single article page (docs/wire.md).",
    )
    kinds = importer.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, text in (
        ("wordpress", "a WordPress WXR export: posts, authors, categories, tags, images"),
        ("page", "one article page (saved HTML, scraped text or a URL) as a draft"),
    ):
        sub = kinds.add_parser(kind, help=text, add_help=False)
        sub.add_argument("args", nargs=argparse.REMAINDER)

    for name, text in (
        ("backup", "back up the database and the media: `backup DIR`"),
        ("restore", "restore a backup, checked first: `restore DIR [--replace]`"),
    ):
        sub = commands.add_parser(name, help=text, add_help=False)
        sub.add_argument("args", nargs=argparse.REMAINDER)

    manage = commands.add_parser(
        "manage",
        help="run any Django management command (migrate, createsuperuser, load_demo …)",
        description="Run a Django management command, e.g. `masthead manage migrate`.",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def _setup_django(data_dir: str | None) -> None:
    if data_dir:
        os.environ["MASTHEAD_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()


def _prepare(migrate: bool) -> None:
    from django.core.management import call_command

    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if not _static_files_are_current():
        print("Collecting and compressing static files (once per upgrade) …", flush=True)
        call_command("collectstatic", interactive=False, verbosity=0)


def _static_files_are_current() -> bool:
    """Whether collected static files are newer than every source file.

    Collecting compresses every file with gzip and Brotli, which takes
    minutes on a small machine; a restart should not pay for it again.
    """
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return False
    return True


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _stop_seconds(text: str) -> int:
    """``--stop-timeout``: whole seconds within granian's bounds, 1 to 1800."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if not 1 <= seconds <= 1800:
        raise argparse.ArgumentTypeError(f"{seconds} is outside 1 to 1800 seconds")
    return seconds


def _run_server(host: str, port: int, workers: int, threads: int, stop_timeout: int = 10) -> int:
    granian = shutil.which("granian") or str(Path(sys.executable).with_name("granian"))
    argv = [
        granian,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(max(1, workers)),
        "--blocking-threads",
        str(max(1, threads)),
        "--respawn-failed-workers",
        # granian waits for ever on a worker that does not stop (its default): one stuck in
        # the runtime's shutdown (granian issue #875) held `masthead serve` past its stop.
        "--workers-kill-timeout",
        str(stop_timeout),
        "--no-ws",
        "masthead.wsgi:application",
    ]
    sys.stdout.flush()
    from django.db import connections

    connections.close_all()  # granian's workers open their own
    # granian as a child, started again if it gives up after quick worker deaths.
    return supervise(argv)


def _demo(options) -> int:
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Data folder: {settings.DATA_DIR}")
    _prepare(migrate=True)
    call_command("load_demo")
    print()
    print(f"Site:        http://{options.host}:{options.port}/")
    for name, root, host in _edition_roots():
        if host:
            print(f"Site ({name}): http://{host}:{options.port}/")
        else:
            print(f"Site ({name}): http://{options.host}:{options.port}/{root}/")
    print(f"Back office: http://{options.host}:{options.port}/desk/")
    print(f"Admin:       http://{options.host}:{options.port}/admin/")
    print(f"Two-factor:  REQUIRE_2FA_FOR={os.environ['REQUIRE_2FA_FOR']}")
    if options.no_serve:
        return 0
    _start_demo_worker()
    print("Press Ctrl+C to stop.")
    return _run_server(options.host, options.port, workers=1, threads=4)


def _edition_roots() -> list[tuple[str, str, str]]:
    """The name, URL root and host of every edition but the default (at the site's root)."""
    from masthead.newsroom.models import Edition

    return list(Edition.objects.exclude(url_root="").values_list("name", "url_root", "host"))


def _start_demo_worker() -> None:
    """One `masthead worker` beside the demo server: wire polling, purges, mail.

    This process supervises the server (granian, as its child:
    ``serve_supervisor.py``); the worker watches this process's id and exits
    when it does, however it ends, and Ctrl+C in the terminal signals both. The worker is started
    through a short-lived intermediate so that it is not the server's child:
    granian's shutdown waits for ever on a child it did not start. Warnings
    and errors only, so the terminal stays readable; mail still prints here.
    """
    from django.db import connections

    connections.close_all()  # the worker opens its own
    worker = [sys.executable, "-m", "masthead", "worker", "--verbosity", "0"]
    worker += ["--stop-with", str(os.getpid())]
    launch = "import subprocess, sys; subprocess.Popen(sys.argv[1:])"
    subprocess.run([sys.executable, "-c", launch, *worker], check=True)  # noqa: S603 - our own
    print("Worker:      one background worker (docs/wire-tasks.md)")


def _check(options) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from masthead.deploy_checks import EMBEDDED_SILENCES

    if not settings.HTTPS:
        settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS, *EMBEDDED_SILENCES]
        print("Embedded mode (HTTPS=false): not checked, as there is no TLS:")
        for check_id, why in EMBEDDED_SILENCES.items():
            print(f"  {check_id}: {why}")
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _front_config(options) -> int:
    try:
        front = front_config.Front(
            server_names=tuple(options.server_names or front_config.default_server_names()),
            upstream=options.upstream,
            listen=options.listen,
            cache_dir=options.cache_dir,
            cache_seconds=options.cache_seconds,
            certificate=options.certificate,
            certificate_key=options.certificate_key,
        )
        print(front_config.render(front), end="")
    except argparse.ArgumentTypeError as error:
        print(f"masthead front-config: {error}", file=sys.stderr)
        return 2
    return 0


def _dependencies_are_safe() -> bool:
    from masthead.deploy_checks import dependency_problems

    problems = dependency_problems()
    for problem in problems:
        print(f"masthead: {problem}", file=sys.stderr)
    return not problems


def _serve(options) -> int:
    if not _dependencies_are_safe():
        return 2
    _prepare(migrate=False)
    pending = _pending_migrations()
    if pending:
        print(
            f"masthead: {len(pending)} database migration(s) pending "
            f"({', '.join(pending[:3])}{' …' if len(pending) > 3 else ''}); "
            "run `masthead manage migrate` first.",
            file=sys.stderr,
        )
        return 2
    return _run_server(
        options.host, options.port, options.workers, options.threads, options.stop_timeout
    )


def _forward(options) -> int:
    """`masthead worker|backup|restore …` and `masthead import KIND …`: their management
    commands."""
    from django.core.management import execute_from_command_line

    name = f"import_{options.kind}" if options.command == "import" else options.command
    try:
        execute_from_command_line([f"masthead {options.command}", name, *options.args])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def _split_forwarded(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """Split `[--data D] worker|manage ARGS` / `import KIND ARGS` before ARGS.

    argparse's REMAINDER gives up when the forwarded arguments begin with an
    option (`masthead worker --once`), so they are cut off here and handed on
    whole to the management command.
    """
    index = 0
    while index < len(argv) and argv[index].startswith("--data"):
        index += 1 if "=" in argv[index] else 2
    if index < len(argv) and argv[index] in ("worker", "manage", "backup", "restore"):
        return argv[: index + 1], argv[index + 1 :]
    if index + 1 < len(argv) and argv[index] == "import" and not argv[index + 1].startswith("-"):
        return argv[: index + 2], argv[index + 2 :]
    return argv, None


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    head, forwarded = _split_forwarded(sys.argv[1:] if argv is None else list(argv))
    options = parser.parse_args(head)
    if forwarded is not None:
        options.args = forwarded
    if options.command is None:
        parser.print_help()
        return 0
    from django.core.exceptions import ImproperlyConfigured

    try:
        if options.command == "demo":
            # Demo staff try the newsroom without an authenticator app.
            os.environ.setdefault("REQUIRE_2FA_FOR", "none")
            # A quick first start: gzip and Brotli copies of every static file take
            # minutes on a small machine; `masthead serve` in production makes them.
            os.environ.setdefault("STATIC_COMPRESS", "false")
            # The demo's agencies are served by the demo itself (masthead/demo/wire.py);
            # its worker may fetch them from this machine, and from nowhere else private.
            os.environ.setdefault("DEMO_WIRE", "true")
            os.environ.setdefault("DEMO_URL", f"http://{options.host}:{options.port}")
            os.environ.setdefault("WIRE_ALLOWED_PRIVATE_HOSTS", options.host)
            persian_host = os.environ.get("DEMO_PERSIAN_HOST", "").strip().lower()
            if persian_host:
                # The Persian edition on a host of its own (docs/editions.md): the site must
                # answer for it and know its main address.
                os.environ.setdefault("SITE_URL", f"http://{options.host}:{options.port}")
                hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")
                os.environ["ALLOWED_HOSTS"] = f"{hosts},{options.host},{persian_host}"
        _setup_django(options.data)
        if options.command == "manage":
            from django.core.management import execute_from_command_line

            execute_from_command_line(["masthead manage", *options.args])
            return 0
        if options.command == "demo":
            return _demo(options)
        if options.command == "check":
            return _check(options)
        if options.command == "front-config":
            return _front_config(options)
        if options.command in ("worker", "import", "backup", "restore"):
            return _forward(options)
        return _serve(options)
    except ImproperlyConfigured as error:
        print(f"masthead: configuration error: {error}", file=sys.stderr)
        return 2
