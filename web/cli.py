"""The `archive` command: a thin layer over library functions that the tests call directly.

A module that one command alone needs, and that would bring Flask in (web.links, web.exports) or the PDF
libraries (the OCR backlog) or the query side of search (the searcher), is imported inside that command:
every other command, a load above all, starts without it. A load's parent reads no file's contents, so it
imports no pypdf, pypdfium2 or PIL: its workers do (tests/web/test_cli_startup.py keeps it so)."""
from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

import click

from archive import accounts, audit, backup, mail, roster
from archive.account_links import DEFAULT_INVITE_DAYS, INVITE
from archive.accounts import ROLES
from archive.catalog import Catalog, CatalogError
from archive.catalog_copy import CatalogCopyError, copy_catalog
from archive.database import CatalogUnavailable, check_url, redacted
from archive.datadir import DataDir, resolve_data_dir
from archive.locks import Holder, LockBusy, archive_load_lock, waiting_message
from archive.metadata import DocumentMeta, MetadataError, parse_date_span, parse_division, parse_doc_type, parse_year
from archive.mail import MailSettings, MailSettingsError
from archive.roster import RosterError
from archive.vocabulary import ACCESS_LEVELS, DOC_TYPES
from indexer.search.errors import IndexBusyError, IndexDamagedError, StaleIndexError
from indexer.extract.ocr import check_language, tesseract_path
from indexer.extract.result import DEFAULT_LANGUAGE, OCR_PAGE_SECONDS, OCR_RENDER_SECONDS, Limits, OcrSettings
from indexer.load.outcomes import FileOutcome, LoadReport, Outcome
from indexer.load.manifest import ManifestError, read_manifest
from indexer.load.report import OutcomeWriter, write_ledger
from indexer.load.pool import PoolLimits, start_fork_server
from indexer.load.progress import Progress, summary
from indexer.search.results import SORTS, SearchRequest, SearchRequestError
from web.secret_key import SecretKeyError

if TYPE_CHECKING:
    from indexer.load.run import LoadOptions

FOLLOW_SECONDS = 2.0  # how often a following node looks for changes (`archive serve --follow-every`)


class ArchiveGroup(click.Group):
    """The command group; library errors that a person fixes by running another command become one line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (StaleIndexError, LockBusy, IndexBusyError, backup.BackupError, MailSettingsError, CatalogUnavailable,
                SecretKeyError) as exc:
            raise click.ClickException(terminal_safe(str(exc))) from None
        except IndexDamagedError as exc:
            raise click.ClickException(terminal_safe(f"{exc}: run `archive reindex` to rebuild it from the catalog")) from None


@click.group(cls=ArchiveGroup)
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Data folder (store, catalog, index). Default: $ARCHIVE_DATA_DIR or ./data")
@click.option("--catalog-url", default=None,
              help="The catalog on PostgreSQL, postgresql://USER@HOST:5432/DATABASE. Default: $ARCHIVE_CATALOG_URL, "
                   "else the SQLite file in the data folder")
@click.option("--store-dir", type=click.Path(file_okay=False), default=None,
              help="The file store, shared by every node. Default: $ARCHIVE_STORE_DIR, else DATA/store")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, catalog_url: str | None, store_dir: str | None) -> None:
    """The union document archive."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        ctx.obj = resolve_data_dir(data_dir, catalog_url, store_dir)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--catalog-url or $ARCHIVE_CATALOG_URL") from None


def _parsed(parse: Callable[[str], object]) -> Callable:
    """A click callback that parses an option's value(s) by the archive's one set of metadata rules."""
    def callback(ctx: click.Context, param: click.Parameter, value):
        try:
            if isinstance(value, tuple):
                return tuple(parse(v) for v in value)
            return None if value is None else parse(value)
        except MetadataError as exc:
            raise click.BadParameter(str(exc)) from None
    return callback


def _language(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A tesseract language code whose data is installed, checked before any work starts."""
    try:
        return check_language(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def terminal_safe(text: str) -> str:
    """Text from a file or its name, with control characters and direction overrides shown as escapes."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def terminal_safe_lines(text: str) -> str:
    """`terminal_safe` line by line: the line breaks are ours, anything else is shown as an escape."""
    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def _year_filter(text: str) -> str:
    return str(parse_year(text))


def _date_filter(text: str) -> str:
    return parse_date_span(text).text


NO_WAIT = click.option("--no-wait", is_flag=True,
                       help="If another load, reindex or OCR run is under way, fail at once instead of waiting.")


def _lock_wait(no_wait: bool) -> float | None:
    """How long to wait for the load lock: not at all, or as long as the other run takes."""
    return 0.0 if no_wait else None


def _say_waiting(holder: Holder | None) -> None:
    click.echo(terminal_safe(waiting_message(holder)) + " (Ctrl-C to give up; --no-wait not to wait)", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--type", "doc_type", type=click.Choice(sorted(DOC_TYPES)), help="Document type for every file.")
@click.option("--year", callback=_parsed(parse_year), help="The year the documents are about.")
@click.option("--division", callback=_parsed(parse_division), help="Division, e.g. Teachers, PSRP, Healthcare.")
@click.option("--access", type=click.Choice(ACCESS_LEVELS), help="Who may see the documents.")
@click.option("--title", help="Title (for loading a single file).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False),
              help="CSV with a path column and any of title, type, year, date, division, access.")
@click.option("--allow-outside-paths", is_flag=True,
              help="Let the manifest name files outside its own folder (refused by default).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--dry-run", is_flag=True, help="Preflight: read everything, write nothing, report what would happen.")
@click.option("--retry-failed", is_flag=True, help="Load again only the files that failed before (under PATHS, if given).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Write every file's outcome to this CSV.")
@click.option("--timeout", type=click.FloatRange(1), default=PoolLimits.base_seconds, show_default=True,
              help="Seconds each file may take, plus --page-timeout per page.")
@click.option("--page-timeout", type=click.FloatRange(0), default=PoolLimits.seconds_per_page, show_default=True,
              help="Extra seconds each file may take per page.")
@click.option("--memory-mb", type=click.IntRange(256), default=PoolLimits.memory_mb, show_default=True,
              help="Memory (address space) each worker may use.")
@click.option("--language", default=DEFAULT_LANGUAGE, show_default=True, callback=_language,
              help="Language of the scans, as tesseract's codes: eng, spa, eng+spa (a manifest column beats it).")
@click.option("--ocr-page-timeout", type=click.FloatRange(1), default=OCR_PAGE_SECONDS, show_default=True,
              help="Seconds each scanned page may take to read by OCR (added to the file's time limit).")
@click.option("--progress-every", type=click.FloatRange(0), default=10.0, show_default=True,
              help="Seconds between progress lines when not on a terminal.")
@click.option("--verbose", "-v", is_flag=True, help="A line for every file, not only failures.")
@click.option("--commit-every", type=click.IntRange(1), default=500, show_default=True,
              help="Files per index commit: a crash loses at most this many, which a re-run redoes.")
@click.option("--analyze-in-writer", is_flag=True, hidden=True, help="Benchmarks only: analyse text in the writer.")
@NO_WAIT
@click.pass_obj
def load(data: DataDir, paths: tuple[str, ...], doc_type, year, division, access, title, manifest, jobs,
         dry_run: bool, retry_failed: bool, report_path, timeout, page_timeout, memory_mb, language: str,
         ocr_page_timeout: float, progress_every, verbose: bool, commit_every: int, analyze_in_writer: bool,
         no_wait: bool, allow_outside_paths: bool) -> None:
    """Load files and folders (recursively) into the archive, in parallel, resumably."""
    if not paths and not manifest and not retry_failed:
        raise click.UsageError("give files or folders to load, a --manifest, or --retry-failed")
    start_fork_server()  # its imports (the extractors) run on another core beside the load's own, just below
    from indexer.load.run import LoadOptions

    try:
        rows = read_manifest(Path(manifest), allow_outside_paths) if manifest else {}
    except ManifestError as exc:
        raise click.ClickException(terminal_safe_lines(f"the manifest has problems; nothing was loaded.\n{exc}")) from None
    options = LoadOptions(
        given=DocumentMeta(title=title, doc_type=doc_type, year=year, division=division, access=access),
        manifest=rows, jobs=jobs or os.cpu_count() or 1, retry_failed=retry_failed, dry_run=dry_run,
        analyze_in_workers=not analyze_in_writer, commit_every=commit_every,
        limits=Limits(ocr=OcrSettings(language=language, page_seconds=ocr_page_timeout)),
        load_lock_wait=_lock_wait(no_wait),
        pool=PoolLimits(base_seconds=timeout, seconds_per_page=page_timeout, memory_mb=memory_mb,
                        ocr_seconds_per_page=ocr_page_timeout + OCR_RENDER_SECONDS))
    if dry_run and not report_path:
        report_path = f"preflight-{time.strftime('%Y%m%d-%H%M%S')}.csv"
    report = _run_with_progress(data, [Path(p) for p in paths], options, report_path,
                                progress_every, verbose or dry_run)
    if report_path:
        click.echo(f"Report of every file: {report_path}")
    if report.failed and not report.loaded and not report.duplicates and not dry_run:
        sys.exit(1)


def _run_with_progress(data: DataDir, paths: list[Path], options: LoadOptions, report_path: str | None,
                       progress_every: float, verbose: bool) -> LoadReport:
    """Run the load with a progress display, the CSV report and a closing summary."""
    from indexer.load.run import run_load

    progress = Progress(every_seconds=progress_every)
    started = time.monotonic()
    with OutcomeWriter(Path(report_path)) if report_path else nullcontext() as csv_out:
        def on_outcome(outcome: FileOutcome) -> None:
            progress.update(outcome)
            if csv_out:
                csv_out.write(outcome)
            if verbose or outcome.outcome == Outcome.FAILED:
                progress.message(_outcome_line(outcome))

        try:
            report = run_load(data, paths, options, on_outcome=on_outcome, on_start=progress.start,
                              on_wait=_say_waiting)
        except KeyboardInterrupt:
            progress.close()
            raise click.ClickException("aborted; the last batch was dropped: run the same command again "
                                       "to finish the rest") from None
    progress.close()
    click.echo("\n" + summary(report, time.monotonic() - started, options.dry_run))
    return report


def _outcome_line(outcome: FileOutcome) -> str:
    return terminal_safe(_describe_outcome(outcome))


def _describe_outcome(outcome: FileOutcome) -> str:
    name = outcome.path
    if outcome.outcome == Outcome.LOADED:
        scans = f", {outcome.needs_ocr} scanned pages wait for OCR" if outcome.needs_ocr else ""
        return f"loaded     {name} (document {outcome.doc_id}, {outcome.pages} pages{scans})"
    if outcome.outcome == Outcome.WOULD_LOAD:
        flag = f"; {outcome.detail}" if outcome.detail else ""
        return (f"would load {name}: {outcome.mime}, {outcome.doc_type}, {outcome.year or 'year unknown'}, "
                f"{outcome.pages} pages, {outcome.text_pages} with text{flag}")
    if outcome.outcome == Outcome.FAILED:
        return f"FAILED     {name}: {outcome.reason}: {outcome.detail}"
    return f"{outcome.outcome:<10} {name}{': ' + outcome.detail if outcome.detail else ''}"


@main.command()
@click.argument("query", default="")
@click.option("--type", "doc_type", multiple=True, callback=_parsed(parse_doc_type), help="Only this type (repeatable).")
@click.option("--year", multiple=True, callback=_parsed(_year_filter), help="Only this year (repeatable).")
@click.option("--division", multiple=True, callback=_parsed(parse_division), help="Only this division (repeatable).")
@click.option("--from", "date_from", callback=_parsed(_date_filter),
              help="Only documents dated from this year, month or day on (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_parsed(_date_filter),
              help="Only documents dated up to this year, month or day (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
@click.pass_obj
def search(data: DataDir, query: str, doc_type, year, division, date_from: str | None, date_to: str | None,
           limit: int, sort: str, as_json: bool) -> None:
    """Search the archive as its operator (every document is visible)."""
    from indexer.search.searcher import ArchiveSearcher

    filters = {k: tuple(v) for k, v in
               {"doc_type": doc_type, "year": year, "division": division}.items() if v}
    request = SearchRequest(query=query, filters=filters, per_page=limit, sort=sort, date_from=date_from,
                            date_to=date_to)
    with Catalog(data.catalog) as catalog:
        searcher = ArchiveSearcher.open(data.index_dir, catalog)
        try:
            results = searcher.search(request)
        except SearchRequestError as exc:
            raise click.UsageError(str(exc)) from None
        finally:
            searcher.close()
    if as_json:
        from web.serialize import results_to_json

        click.echo(json.dumps(results_to_json(results), indent=2, ensure_ascii=False))
        return
    _echo_results(results)


def _echo_results(results) -> None:
    if results.notice:
        click.echo(terminal_safe(results.notice))
    click.echo(f"{results.total} documents")
    if results.suggestion:
        click.echo(terminal_safe(f"Did you mean: {results.suggestion.query} ({results.suggestion.total} documents)"))
    for hit in results.hits:
        doc = hit.document
        click.echo("\n" + terminal_safe(f"[{doc.id}] {doc.title} ({DOC_TYPES.get(doc.doc_type, doc.doc_type)}, "
                                         f"{doc.year or 'year unknown'}, {doc.division}) {doc.filename}"))
        for page in hit.page_hits:
            click.echo(terminal_safe(f"    p.{page.page}: {page.snippet_text}"))
        if hit.more_pages:
            click.echo(f"    and {hit.more_pages} more pages")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
              help="waitress processes sharing the port: use up to the number of cores for busy sites.")
@click.option("--max-upload-mb", type=click.IntRange(1, 10_000), default=None,
              help="Largest web upload accepted at once (default 100, or $ARCHIVE_UPLOAD_MAX_MB).")
@click.option("--upload-timeout", type=click.FloatRange(1), default=None,
              help="Seconds each uploaded file may take to read, plus a per-page allowance "
                   "(default 10, or $ARCHIVE_UPLOAD_TIMEOUT).")
@click.option("--trusted-proxy", default=None,
              help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are believed (HTTPS, rate limits).")
@click.option("--base-url", default=None,
              help="The archive's public address for links in exports, e.g. https://archive.example.org "
                   "(default $ARCHIVE_BASE_URL, else this server's own host and port).")
@click.option("--zip-max-files", type=click.IntRange(1, 100_000), default=None,
              help="Most files one \"download all\" zip of a search may hold (default 200, or $ARCHIVE_ZIP_MAX_FILES).")
@click.option("--zip-max-mb", type=click.IntRange(1, 1_000_000), default=None,
              help="Most megabytes one \"download all\" zip may hold (default 500, or $ARCHIVE_ZIP_MAX_MB).")
@click.option("--follow/--no-follow", default=None,
              help="Keep this node's index in step with the catalog's change sequence (default: on with PostgreSQL).")
@click.option("--follow-every", type=click.FloatRange(0.1, 3600), default=FOLLOW_SECONDS, show_default=True,
              help="Seconds between looks at the change sequence when following.")
@click.pass_obj
def serve(data: DataDir, host: str, port: int, threads: int, processes: int, max_upload_mb: int | None,
          upload_timeout: float | None, trusted_proxy: str | None, base_url: str | None, zip_max_files: int | None,
          zip_max_mb: int | None, follow: bool | None, follow_every: float) -> None:
    """Serve the archive on the web with a production WSGI server (waitress)."""
    from indexer.search.follow import apply_changes, ensure_following_index
    from indexer.search.rebuild import ensure_current_index
    from web.app import create_app
    from web.serving import serve as serve_app

    data.ensure()
    follow = data.on_postgres if follow is None else follow
    with Catalog(data.catalog) as catalog:
        if follow:
            if ensure_following_index(data.index_dir, catalog):
                click.echo("Built this node's index from the catalog.")
            apply_changes(data.index_dir, catalog)
        elif ensure_current_index(data.index_dir, catalog):
            click.echo("The index had an older schema: rebuilt it from the catalog.")
    config = {"DATA_DIR": str(data.root), "CATALOG_URL": data.catalog_url,
              "STORE_DIR": str(data.shared_store) if data.shared_store else None,
              "FOLLOW_SECONDS": follow_every if follow else None}
    if max_upload_mb:
        config["MAX_CONTENT_LENGTH"] = max_upload_mb * 1024 * 1024
    if upload_timeout:
        config["UPLOAD_TIMEOUT"] = upload_timeout
    if base_url:
        config["BASE_URL"] = _checked_base_url(base_url)
    if zip_max_files:
        config["ZIP_MAX_FILES"] = zip_max_files
    if zip_max_mb:
        config["ZIP_MAX_MB"] = zip_max_mb
    # Fails here, once, on a bad data folder; each extra process builds its own. With several processes the
    # parent only waits on them: it starts no follower thread of its own before forking them.
    app = create_app(config if processes == 1 else {**config, "FOLLOW_SECONDS": None})
    click.echo(f"Serving {data.root} on http://{host}:{port}/" + (f" ({processes} processes)" if processes > 1 else "")
               + (f", following the catalog every {follow_every:g} s" if follow else ""))
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
             "clear_untrusted_proxy_headers": True} if trusted_proxy else {}
    serve_app(lambda: app if processes == 1 else create_app(config), host, port, processes, threads=threads, ident="archive", **proxy)


def _checked_base_url(url: str) -> str:
    """An http(s) address with a host and nothing after the path, else a usage error."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise click.BadParameter(f"{url!r} is not an address like https://archive.example.org", param_hint="--base-url")
    return url.rstrip("/")


@main.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--with-index", is_flag=True, help="Copy the search index too (it can always be rebuilt from the catalog).")
@click.option("--keep", type=click.IntRange(1), default=None, help="Keep only the newest N dated backups in DEST.")
@click.option("--verify", "verify_only", is_flag=True, help="Check the newest backup in DEST (or the one named) instead.")
@click.pass_obj
def backup_command(data: DataDir, dest: str, with_index: bool, keep: int | None, verify_only: bool) -> None:
    """Back up the catalog, the originals it names and the secret key, while the archive serves and loads."""
    if verify_only:
        _verify_backup(Path(dest))
        return
    if data.on_postgres:
        _backup_store(data, Path(dest), with_index, keep)
        return
    done = backup.backup(data, Path(dest), with_index, keep)
    click.echo(terminal_safe(
        f"Backed up {done.documents} documents to {done.snapshot}: {done.blobs_copied} new originals copied "
        f"({done.bytes_copied / 1e6:.1f} MB), {done.blobs_present} already there"
        + (", with the index" if done.with_index else "") + f", in {done.seconds:.1f}s."))
    if done.removed:
        click.echo(f"Removed older backups: {', '.join(done.removed)}.")


def _backup_store(data: DataDir, dest: Path, with_index: bool, keep: int | None) -> None:
    """With the catalog on PostgreSQL: copy the originals, and say how to back up the catalog itself."""
    if with_index or keep:
        raise click.UsageError("--with-index and --keep are for the embedded catalog's snapshots; with the catalog on "
                               "PostgreSQL, `archive backup DEST` copies the store and pg_dump backs up the catalog")
    with Catalog(data.catalog) as catalog:
        shas = [doc.sha256 for doc in catalog.iter_documents()]
    done = backup.backup_store(data, dest, shas)
    click.echo(terminal_safe(
        f"Copied the originals of {done.documents} documents to {done.store}: {done.blobs_copied} new "
        f"({done.bytes_copied / 1e6:.1f} MB), {done.blobs_present} already there, in {done.seconds:.1f}s."))
    click.echo(terminal_safe(
        "The catalog is on PostgreSQL: back it up with pg_dump (run it before this command, so that every "
        f"original it names is copied), e.g. pg_dump --format=custom --file={dest / 'catalog.dump'} "
        f"'{redacted(data.catalog_url)}'. Restore with pg_restore into an empty database."))


def _verify_backup(dest: Path) -> None:
    snapshot = backup.find_snapshot(dest)
    problems = backup.verify(snapshot)
    for problem in problems:
        click.echo(terminal_safe(f"{snapshot.name}: {problem}"))
    if problems:
        sys.exit(1)
    click.echo(terminal_safe(f"{snapshot}: the catalog passes its integrity check and every original is whole."))


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the data folder's catalog, originals and index.")
@click.pass_obj
def restore_command(data: DataDir, source: str, force: bool) -> None:
    """Restore a backup into the data folder, index what it had not indexed, and check the result."""
    from indexer.load.consistency import check_consistency
    from indexer.search.index import index_pending, open_index
    from indexer.search.rebuild import ensure_current_index

    backup.check_restorable(data)  # before the load lock, which would reach for the database
    with archive_load_lock(data, "restore", None, _say_waiting):
        snapshot = backup.restore(Path(source), data, force)
        with Catalog(data.catalog) as catalog:
            ensure_current_index(data.index_dir, catalog)
            indexed = index_pending(open_index(data.index_dir), catalog)
    click.echo(terminal_safe(f"Restored {snapshot} into {data.root}; indexed {indexed} documents."))
    problems = check_consistency(data)
    click.echo(terminal_safe("\n".join(problems) or "Catalog, file store and index agree."))
    if problems:
        sys.exit(1)


@main.command()
@NO_WAIT
@click.pass_obj
def reindex(data: DataDir, no_wait: bool) -> None:
    """Rebuild the whole search index from the catalog (no PDF is read again)."""
    from indexer.search.rebuild import rebuild_index

    data.ensure()
    with archive_load_lock(data, "reindex", _lock_wait(no_wait), _say_waiting), Catalog(data.catalog) as catalog:
        count = rebuild_index(data.index_dir, catalog)
    click.echo(f"Rebuilt the index: {count} documents.")


@main.command()
@click.option("--failed", is_flag=True, help="Only list the files that failed, with reasons.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the latest outcome of every file ever loaded to this CSV.")
@click.option("--check", is_flag=True, help="Check that catalog, file store and index agree.")
@click.pass_obj
def status(data: DataDir, failed: bool, report_path: str | None, check: bool) -> None:
    """Counts by type, year and status; failed files with reasons."""
    from indexer.load.consistency import check_consistency
    from indexer.search.follow import lag

    if not data.has_catalog():
        raise click.ClickException(f"no archive in {data.root} yet: load some files first")
    if check:
        problems = check_consistency(data)
        click.echo("\n".join(terminal_safe(p) for p in problems) or "Catalog, file store and index agree.")
        sys.exit(1 if problems else 0)
    with Catalog(data.catalog) as catalog:
        if report_path:
            click.echo(f"Wrote {write_ledger(Path(report_path), catalog.all_files())} files to {report_path}")
        if not failed:
            _echo_counts(catalog)
            if data.on_postgres:
                click.echo(f"\nSearch index: {lag(data.index_dir, catalog).describe()}")
        failures = catalog.failed_files()
        click.echo(f"\nFailed files: {len(failures)}")
        for record in failures:
            click.echo(terminal_safe(f"  {record.path}: {record.reason}: {record.detail}"))


@main.command()
@click.option("--language", default=DEFAULT_LANGUAGE, show_default=True, callback=_language,
              help="Language of scans whose load named none (tesseract's codes: eng, spa, eng+spa).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: all cores).")
@click.option("--ocr-page-timeout", type=click.FloatRange(1), default=OCR_PAGE_SECONDS, show_default=True,
              help="Seconds each page may take to read.")
@click.option("--retry-failed", is_flag=True, help="Also read again the pages OCR failed on before.")
@click.option("--verbose", "-v", is_flag=True, help="A line for every page.")
@NO_WAIT
@click.pass_obj
def ocr(data: DataDir, language: str, jobs: int | None, ocr_page_timeout: float, retry_failed: bool,
        verbose: bool, no_wait: bool) -> None:
    """Read the scanned pages that wait for OCR, and those of documents loaded before OCR existed."""
    from indexer.load.ocr_backlog import run_ocr

    if tesseract_path() is None:
        raise click.ClickException("tesseract is not installed (Debian: apt-get install tesseract-ocr "
                                   "tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-osd)")
    if not data.has_catalog():
        raise click.ClickException(f"no archive in {data.root} yet: load some files first")

    def on_page(job, read) -> None:
        if verbose or read.note:
            click.echo(f"document {job.doc_id}, page {job.page_no}: {read.ocr or 'not a scan'}"
                       + (f" ({read.confidence:.0f}% confidence)" if read.confidence is not None else "")
                       + (f": {terminal_safe(read.note)}" if read.note else ""))

    started = time.monotonic()
    report = run_ocr(data, Limits(ocr=OcrSettings(language=language, page_seconds=ocr_page_timeout)),
                     PoolLimits(ocr_seconds_per_page=ocr_page_timeout + OCR_RENDER_SECONDS),
                     jobs or os.cpu_count() or 1, retry_failed, on_page,
                     lock_wait=_lock_wait(no_wait), on_wait=_say_waiting)
    click.echo(f"Read {report.read} scanned pages of {len(report.documents)} documents by OCR, "
               f"{report.failed} failed, {report.not_scans} were not scans, "
               f"in {time.monotonic() - started:.0f}s.")


def _echo_counts(catalog: Catalog) -> None:
    click.echo(f"Archive: {catalog.count()} documents")
    for column, heading in (("doc_type", "By type"), ("year", "By year"), ("division", "By division"),
                            ("access", "By access"), ("status", "By status")):
        click.echo(f"\n{heading}:")
        for value, count in catalog.counts_by(column):
            click.echo(f"  {value if value is not None else 'unknown':<24} {count}")
    click.echo("\nPages:")
    for state, count in sorted(catalog.page_state_counts().items(), key=lambda kv: -kv[1]):
        click.echo(f"  {state:<24} {count}")
    outcomes = catalog.outcome_counts()
    click.echo("\nFiles seen: " + (", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "none"))


@main.group("catalog")
def catalog_group() -> None:
    """The catalog's database."""


@catalog_group.command("migrate")
@click.option("--to", "url", required=True, help="An empty PostgreSQL database: postgresql://USER@HOST:5432/DATABASE")
@click.pass_obj
def catalog_migrate(data: DataDir, url: str) -> None:
    """Copy this data folder's SQLite catalog into an empty PostgreSQL database, then check the counts."""
    try:
        check_url(url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from None
    if data.on_postgres:
        raise click.UsageError("the catalog is already on PostgreSQL here; `catalog migrate` copies the data "
                               "folder's SQLite catalog (run it without --catalog-url or $ARCHIVE_CATALOG_URL)")
    with archive_load_lock(data, "catalog copy", 0.0):  # no load may write to the SQLite catalog meanwhile
        try:
            counts = copy_catalog(data.catalog_path, url)
        except CatalogCopyError as exc:
            raise click.ClickException(terminal_safe(str(exc))) from None
    for count in counts:
        click.echo(f"  {count.table:<16} {count.source:>9,} copied {count.copied:>9,}"
                   + ("" if count.agrees else "   DIFFERENT"))
    if not all(count.agrees for count in counts):
        raise click.ClickException("the counts differ: do not switch to the copy")
    click.echo(terminal_safe(
        f"Copied the catalog into {redacted(url)}; every count agrees. Serve it with ARCHIVE_CATALOG_URL (or "
        f"--catalog-url) and the store on shared storage with ARCHIVE_STORE_DIR={data.store_dir}."))


@main.group()
def user() -> None:
    """Accounts for the web: members, staff and admins."""


def _read_password(from_stdin: bool) -> str:
    """The new password: one line from stdin (scripts) or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return f"cli:uid-{os.getuid()}"


def _account_change(data: DataDir, change: Callable[[Catalog], str]) -> None:
    """Run one account change in a catalog transaction; a refused value becomes a clean error."""
    data.ensure()
    with Catalog(data.catalog) as catalog:
        try:
            with catalog.transaction():
                click.echo(change(catalog))
        except CatalogError as exc:
            raise click.ClickException(str(exc)) from None


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--email", default=None, help="The person's e-mail address (for invitations and reset links).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--no-password", is_flag=True,
              help="Set no password: the person chooses one through an invitation (`archive user invite`).")
@click.pass_obj
def user_add(data: DataDir, name: str, role: str, email: str | None, password_stdin: bool, no_password: bool) -> None:
    """Create an account (the password is asked for, read from stdin, or left to an invitation)."""
    password = None if no_password else _read_password(password_stdin)

    def change(catalog: Catalog) -> str:
        created = accounts.add_user(catalog, name, role, password, email)
        audit.record(catalog, _cli_actor(), "user-add", subject=created.name,
                     changes={"role": {"old": None, "new": role}, "email": {"old": None, "new": created.email}})
        then = " Send an invitation with `archive user invite`." if no_password else ""
        return f"Created {created.name} ({created.role}).{then}"
    _account_change(data, change)


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_obj
def user_passwd(data: DataDir, name: str, password_stdin: bool) -> None:
    """Set a new password (signs the account out of every browser and revokes its personal feed link)."""
    password = _read_password(password_stdin)

    def change(catalog: Catalog) -> str:
        changed = accounts.set_password(catalog, name, password, revoke_feed=True)
        audit.record(catalog, _cli_actor(), "user-passwd", subject=changed.name)
        return f"Password changed for {changed.name}; signed out everywhere, personal feed link revoked."
    _account_change(data, change)


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_obj
def user_role(data: DataDir, name: str, role: str) -> None:
    """Give an account another role."""
    def change(catalog: Catalog) -> str:
        old = accounts.get_user(catalog, name)
        changed = accounts.set_role(catalog, name, role)
        audit.record(catalog, _cli_actor(), "user-role", subject=changed.name,
                     changes={"role": {"old": old.role, "new": role}})
        return f"{changed.name} is now {role}."
    _account_change(data, change)


@user.command("list")
@click.pass_obj
def user_list(data: DataDir) -> None:
    """List accounts with their roles, e-mail addresses and status (active, invited, disabled)."""
    data.ensure()
    with Catalog(data.catalog) as catalog:
        users = accounts.list_users(catalog)
    for account in users:
        click.echo(terminal_safe(f"{account.name:<32} {account.role:<8} {account.status:<9} "
                                 f"{account.email or '-':<32} created {account.created_at[:19]}"))
    if not users:
        click.echo("No accounts yet: create one with `archive user add NAME --role admin`.")


@user.command("remove")
@click.argument("name")
@click.pass_obj
def user_remove(data: DataDir, name: str) -> None:
    """Delete an account (its sessions end at their next request)."""
    def change(catalog: Catalog) -> str:
        removed = accounts.remove_user(catalog, name)
        audit.record(catalog, _cli_actor(), "user-remove", subject=removed.name,
                     changes={"role": {"old": removed.role, "new": None}})
        return f"Removed {removed.name}."
    _account_change(data, change)


@user.command("email")
@click.argument("name")
@click.argument("address", required=False)
@click.pass_obj
def user_email(data: DataDir, name: str, address: str | None) -> None:
    """Set an account's e-mail address (none given: remove it)."""
    def change(catalog: Catalog) -> str:
        old = accounts.get_user(catalog, name)
        changed = accounts.set_email(catalog, name, address)
        audit.record(catalog, _cli_actor(), "user-email", subject=changed.name,
                     changes={"email": {"old": old.email if old else None, "new": changed.email}})
        return terminal_safe(f"{changed.name}: e-mail address {changed.email or 'removed'}.")
    _account_change(data, change)


@user.command("disable")
@click.argument("name")
@click.pass_obj
def user_disable(data: DataDir, name: str) -> None:
    """Stop an account signing in: its sessions end, its links and personal feed link stop working."""
    def change(catalog: Catalog) -> str:
        changed = accounts.set_disabled(catalog, name, True)
        audit.record(catalog, _cli_actor(), "user-disable", subject=changed.name)
        return f"Disabled {changed.name}: signed out everywhere, feed link revoked."
    _account_change(data, change)


@user.command("enable")
@click.argument("name")
@click.pass_obj
def user_enable(data: DataDir, name: str) -> None:
    """Let a disabled account sign in again."""
    def change(catalog: Catalog) -> str:
        changed = accounts.set_disabled(catalog, name, False)
        audit.record(catalog, _cli_actor(), "user-enable", subject=changed.name)
        return f"Enabled {changed.name}."
    _account_change(data, change)


INVITE_OPTIONS = (
    click.option("--links", "links_path", type=click.Path(dir_okay=False),
                 help="Write name,email,link for a mail merge to this CSV file (new links each time)."),
    click.option("--send", is_flag=True,
                 help="Send the invitations by e-mail now (needs ARCHIVE_SMTP_URL, ARCHIVE_MAIL_FROM and "
                      "ARCHIVE_BASE_URL; ARCHIVE_SMTP_PASSWORD if the server asks)."),
    click.option("--days", type=click.FloatRange(min=0.01, max=365), default=DEFAULT_INVITE_DAYS, show_default=True,
                 help="How many days each invitation link works."),
    click.option("--base-url", default=None, help="The archive's public address, which the links start with "
                                                  "(default $ARCHIVE_BASE_URL)."),
)


def _invite_options(command: Callable) -> Callable:
    for option in reversed(INVITE_OPTIONS):
        command = option(command)
    return command


@user.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--role", type=click.Choice(("member", "staff")), default="member", show_default=True,
              help="Role of the accounts whose line names none.")
@click.option("--update", is_flag=True, help="Change the e-mail address and role of existing accounts to the file's.")
@click.option("--check", "check_only", is_flag=True,
              help="Check the whole file and say what it would do; change nothing.")
@_invite_options
@click.pass_obj
def user_import(data: DataDir, csv_file: str, role: str, update: bool, check_only: bool, links_path: str | None,
                send: bool, days: float, base_url: str | None) -> None:
    """Create member accounts from a CSV file with the columns name,email (and role).

    The whole file is checked first; any problem (named by line) and nothing changes. New accounts have
    no password: each person chooses one through an invitation (--links or --send, or later with
    `archive user invite --pending`).
    """
    delivery = _delivery(links_path, send, base_url)
    data.ensure()
    raw = Path(csv_file).read_bytes()
    with Catalog(data.catalog) as catalog:
        try:
            if check_only:
                rows, problems = roster.read_rows(raw)
                planned = roster.plan(catalog, rows, role, update, "use --update", problems)
                click.echo(f"{csv_file}: {len(planned.new)} new accounts, {len(planned.changed)} to update, "
                           f"{len(planned.same)} already as in the file. Nothing was changed (--check).")
                return
            result = roster.import_roster(catalog, raw, role, update, _cli_actor(), "use --update")
        except (RosterError, CatalogError) as exc:
            raise click.ClickException(
                terminal_safe_lines(f"{csv_file} has problems; nothing was imported.\n{exc}")) from None
        click.echo(terminal_safe(f"Imported {csv_file}: {len(result.created)} new accounts, {len(result.updated)} "
                                 f"updated, {len(result.unchanged)} already as in the file."))
        _invite(data, catalog, result.to_invite, days, delivery)


@user.command("invite")
@click.argument("names", nargs=-1)
@click.option("--pending", is_flag=True, help="Every account still waiting to choose its password.")
@_invite_options
@click.pass_obj
def user_invite(data: DataDir, names: tuple[str, ...], pending: bool, links_path: str | None, send: bool,
                days: float, base_url: str | None) -> None:
    """New invitation links for accounts without a password: by e-mail (--send) or in a CSV (--links)."""
    delivery = _delivery(links_path, send, base_url)
    if not names and not pending:
        raise click.UsageError("name the accounts to invite, or give --pending for all that wait")
    data.ensure()
    with Catalog(data.catalog) as catalog:
        everyone = accounts.list_users(catalog)
        wanted = {n.casefold() for n in names}
        unknown = wanted - {u.name.casefold() for u in everyone}
        if unknown:
            raise click.ClickException(terminal_safe(f"there is no account named {sorted(unknown)[0]!r}"))
        chosen = [u for u in everyone if (pending or u.name.casefold() in wanted) and u.status == "invited"]
        if not chosen:
            raise click.ClickException("none of these accounts waits for an invitation: "
                                       "each has a password or is disabled")
        _invite(data, catalog, chosen, days, delivery)


Delivery = tuple[str | None, MailSettings | None, str | None]


def _delivery(links_path: str | None, send: bool, base_url: str | None) -> Delivery:
    """(CSV path, mail settings, base URL) for an invitation run, checked before anything changes."""
    if links_path and send:
        raise click.UsageError("choose --links or --send, not both")
    base = _checked_base_url(base_url) if base_url else None
    if send:
        settings = mail.settings_from(os.environ, base)
        if settings is None:
            raise click.ClickException(f"--send needs the mail settings: set {mail.ENV['url']} (e.g. "
                                       f"smtp://archive@mail.example.org:587) and {mail.ENV['sender']}")
        return None, settings, settings.base_url
    if links_path:
        base = base or os.environ.get(mail.ENV["base_url"])
        if not base:
            raise click.ClickException("--links needs the archive's public address: --base-url or $ARCHIVE_BASE_URL")
        return links_path, None, _checked_base_url(base)
    return None, None, None


def _invite(data: DataDir, catalog: Catalog, users, days: float, delivery: Delivery) -> None:
    links_path, settings, base = delivery
    if not users:
        return
    if settings is not None:
        queued = mail.queue(catalog, users, INVITE, days * 86400, _cli_actor())
        click.echo(f"Queued {queued} invitations.")
        _send_queue(data, catalog, settings)
    elif links_path:
        _write_links(catalog, users, days, links_path, base)
    else:
        click.echo(f"{len(users)} accounts wait for an invitation: `archive user invite --pending --links FILE.csv` "
                   "writes their links, `--send` mails them.")


def _write_links(catalog: Catalog, users, days: float, path: str, base: str) -> None:
    # Made readable by its owner only: the links open accounts.
    from web.exports import write_invitations

    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(handle, "w", newline="", encoding="utf-8") as out:
        write_invitations(out, catalog, users, days * 86400, _cli_actor(), base)
    click.echo(terminal_safe(f"Wrote {len(users)} invitation links to {path} (each works once, for {days:g} days)."))


@main.group("mail")
def mail_group() -> None:
    """Mail to members: invitations and password reset links waiting to be sent."""


@mail_group.command("send")
@click.option("--base-url", default=None, help="The archive's public address (default $ARCHIVE_BASE_URL).")
@click.pass_obj
def mail_send(data: DataDir, base_url: str | None) -> None:
    """Send every message waiting in the queue (after a failed run, or one the server could not send)."""
    settings = mail.settings_from(os.environ, _checked_base_url(base_url) if base_url else None)
    if settings is None:
        raise click.ClickException(f"no mail settings: set {mail.ENV['url']} and {mail.ENV['sender']}")
    data.ensure()
    with Catalog(data.catalog) as catalog:
        _send_queue(data, catalog, settings)


@mail_group.command("status")
@click.pass_obj
def mail_status(data: DataDir) -> None:
    """How many messages wait, were sent, or could not be sent."""
    data.ensure()
    with Catalog(data.catalog) as catalog:
        counts = mail.outbox_counts(catalog)
    click.echo(f"{counts.waiting} waiting, {counts.sent} sent, {counts.failed} could not be sent.")
    if counts.last_error:
        click.echo(terminal_safe(f"Last problem: {counts.last_error}"))


def _send_queue(data: DataDir, catalog: Catalog, settings: MailSettings) -> None:
    """Send the queue now, one line per account that cannot be reached; a stopped run says how to resume."""
    from web.links import password_link

    try:
        with mail.mail_lock(data.root):
            report = mail.send_waiting(catalog, settings, lambda token: password_link(settings.base_url, token))
    except LockBusy:
        click.echo("Another process (the server?) is sending the queue now: it sends these too.")
        return
    for name, why in report.failed:
        click.echo(terminal_safe(f"not sent to {name}: {why}"))
    click.echo(f"Sent {report.sent} messages; {report.waiting} waiting.")
    if report.stopped:
        raise click.ClickException(terminal_safe(f"sending stopped: {report.stopped}. "
                                                 "Run `archive mail send` to send the rest."))


if __name__ == "__main__":  # pragma: no cover
    main()
