"""Configuration comes from the environment only (docs/configuration.md)."""

from __future__ import annotations

import stat

import pytest


def test_embedded_default_is_sqlite_in_wal_mode_in_the_data_folder(run_masthead, tmp_path):
    code = (
        "from django.db import connection; from django.conf import settings;"
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode');"
        "print(cursor.fetchone()[0], settings.DATABASES['default']['NAME'],"
        " settings.CACHES['default']['BACKEND'], settings.MEDIA_ROOT, settings.DEBUG)"
    )
    result = run_masthead("manage", "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert result.stdout.split() == [
        "wal",
        str(data / "masthead.sqlite3"),
        "django.core.cache.backends.locmem.LocMemCache",
        str(data / "media"),
        "False",
    ]


def test_secret_key_is_generated_once_and_kept_private(read_setting, tmp_path):
    first = read_setting("settings.SECRET_KEY")
    second = read_setting("settings.SECRET_KEY")

    key_file = tmp_path / "data" / "secret_key"
    assert first.stdout == second.stdout
    assert len(eval(first.stdout)) >= 50  # noqa: S307 - repr of a str we printed
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(read_setting, tmp_path):
    result = read_setting("settings.SECRET_KEY", env={"SECRET_KEY": "k" * 60})

    assert result.stdout.strip() == repr("k" * 60)
    assert not (tmp_path / "data" / "secret_key").exists()


def test_database_url_selects_postgresql(read_setting):
    result = read_setting(
        "(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'],"
        " settings.DATABASES['default']['CONN_MAX_AGE'])",
        env={"DATABASE_URL": "postgres://editor@db.internal:5432/news"},
    )

    # Django's backend with a deadline on the server's answers (masthead/postgresql).
    assert result.stdout.strip() == "('masthead.postgresql', 'news', 600)"


@pytest.mark.parametrize(
    ("flag", "expected"),
    [(None, "(True, 2)"), ("true", "(True, 2)"), ("false", "(None, None)")],
)
def test_postgresql_uses_prepared_statements_unless_told_not_to(read_setting, flag, expected):
    env = {"DATABASE_URL": "postgres://editor@db.internal:5432/news"}
    if flag is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = flag
    result = read_setting(
        "(settings.DATABASES['default'].get('OPTIONS', {}).get('server_side_binding'),"
        " settings.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold'))",
        env=env,
    )

    assert result.stdout.strip() == expected


def test_sqlite_has_no_prepared_statement_options(read_setting):
    result = read_setting("'server_side_binding' in settings.DATABASES['default']['OPTIONS']")

    assert result.stdout.strip() == "False"


def test_cache_url_selects_redis(read_setting):
    result = read_setting(
        "(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])",
        env={"CACHE_URL": "redis://127.0.0.1:6379/2"},
    )

    assert result.stdout.strip() == (
        "('masthead.resilient_cache.ResilientRedisCache', 'redis://127.0.0.1:6379/2')"
    )


def test_hosts_debug_and_time_zone(read_setting):
    result = read_setting(
        "(settings.ALLOWED_HOSTS, settings.DEBUG, settings.TIME_ZONE)",
        env={
            "ALLOWED_HOSTS": "news.example, www.news.example ,",
            "DEBUG": "true",
            "TIME_ZONE": "Asia/Tehran",
        },
    )

    assert result.stdout.strip() == "(['news.example', 'www.news.example'], True, 'Asia/Tehran')"


def test_media_storage_s3_is_a_private_bucket_behind_the_gate(read_setting):
    result = read_setting(
        "(settings.STORAGES['default']['BACKEND'],"
        " settings.STORAGES['default']['OPTIONS']['bucket_name'],"
        " settings.STORAGES['default']['OPTIONS']['endpoint_url'],"
        " settings.STORAGES['default']['OPTIONS']['querystring_auth'])",
        env={
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "newsroom-media",
            "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
        },
    )

    assert result.stdout.strip() == (
        "('masthead.media.storage.PrivateBucketStorage', 'newsroom-media',"
        " 'http://minio.internal:9000', False)"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL scheme 'memcached' is not supported"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a database URL we know"),
        ({"PAGE_SIZE": "twenty"}, "PAGE_SIZE='twenty' is not a whole number"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not a log format"),
        (
            {
                "DATABASE_URL": "postgres://x@127.0.0.1/x",
                "DATABASE_PREPARED_STATEMENTS": "sometimes",
            },
            "DATABASE_PREPARED_STATEMENTS='sometimes' is not a boolean",
        ),
    ],
)
def test_bad_configuration_is_one_clear_line(run_masthead, env, message):
    result = run_masthead("manage", "check", env=env)

    assert result.returncode == 2
    assert result.stderr.strip().startswith("masthead: configuration error:")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_check_is_clean_under_production_settings(run_masthead):
    production = {
        "HTTPS": "true",
        "ALLOWED_HOSTS": "news.example",
        "SECRET_KEY": "a-long-random-production-secret-key-" + "x9Q" * 12,
    }

    result = run_masthead("manage", "check", "--deploy", "--fail-level", "WARNING", env=production)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_postgresql_gives_up_connecting_within_two_seconds(read_setting):
    # psycopg enforces at least 2 s; a hung server then costs a request 2 s, not 130.
    result = read_setting(
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']",
        env={"DATABASE_URL": "postgres://editor@db.internal:5432/news"},
    )

    assert result.stdout.strip() == "2"


def test_postgresql_time_limits_have_defaults_the_environment_and_the_url_change(read_setting):
    names = ("answer_timeout", "tcp_user_timeout", "keepalives", "connect_timeout")
    expression = f"[settings.DATABASES['default']['OPTIONS'].get(n) for n in {names!r}]"
    url = "postgres://editor@db.internal:5432/news"

    defaults = read_setting(expression, env={"DATABASE_URL": url})
    changed = read_setting(
        expression,
        env={
            "DATABASE_URL": url,
            "DATABASE_ANSWER_TIMEOUT": "0.5",
            "DATABASE_TCP_USER_TIMEOUT": "0",
            "DATABASE_CONNECT_TIMEOUT": "7",
        },
    )
    by_url = read_setting(expression, env={"DATABASE_URL": url + "?connect_timeout=9"})
    refused = read_setting(expression, env={"DATABASE_URL": url, "DATABASE_ANSWER_TIMEOUT": "soon"})

    assert defaults.stdout.strip() == "[1.5, 10000, 1, 2]"
    assert changed.stdout.strip() == "[0.5, None, 1, 7]"
    assert by_url.stdout.strip().endswith(", 1, '9']") or by_url.stdout.strip().endswith(", 1, 9]")
    assert "DATABASE_ANSWER_TIMEOUT='soon' is not a number" in refused.stderr


def test_sqlite_waits_for_a_write_lock_less_than_two_seconds(read_setting):
    result = read_setting("settings.DATABASES['default']['OPTIONS']['init_command']")

    assert "PRAGMA busy_timeout=1500;" in result.stdout


def test_media_on_a_host_of_its_own_may_be_shown(read_setting):
    result = read_setting(
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']",
        env={"MEDIA_URL": "https://media.news.example/files/"},
    )

    assert result.stdout.strip() == "[\"'self'\", 'https://media.news.example']"
