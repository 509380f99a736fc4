"""``python -m pipeline.docs``: the dbt docs catalogue of the published warehouse, generated on a copy and served.

``dbt docs generate`` reads the database it runs on for the catalogue
(``catalog.json``: every relation of every schema dbt knows, with its
columns, types and comments). It runs here on a copy of the published
warehouse, never on the published file (a reader's file stays untouched)
nor on an empty one (run naively, dbt opens ``warehouse/dev.duckdb``), and
writes into its own target folder beside the warehouse (``docs/``), so that
the build's parse cache in ``dbt_project/target`` stays valid. Every schema
is in it: dbt's models and seeds, and the tables Python writes (``raw``,
``stats``, ``audit``), declared as sources with their descriptions.

dbt docs shows a column's description from the YAML only. Columns described
in the database alone (those named after codebook variables, which the
``comment_codebook_columns`` macro and :mod:`pipeline.catalogue` describe
from the codebook) get their comment as description in the generated
``manifest.json``, so that the site shows them too. ``static_index.html`` is
the same site in one file, readable without a server.

Exit codes: 0 generated (and served until Ctrl-C), 1 no published warehouse
or dbt failed, 3 the port is taken or the folder is busy.
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.build import DBT_DIR, dbt_env

DOCS_FOLDER = "docs"
#: Where the warehouse is copied for dbt, inside the docs folder; removed once the catalogue is written.
COPY_FOLDER = ".warehouse"


class DocsError(Exception):
    """The catalogue cannot be generated or served; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def docs_folder(warehouse: Path) -> Path:
    """The docs of a warehouse sit beside it, like its Data Docs."""
    return warehouse.resolve().parent / DOCS_FOLDER


def generate(warehouse: Path, out: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Generate the dbt docs of ``warehouse`` (a published file) into ``out``; return the folder."""
    warehouse = warehouse.resolve()
    if not warehouse.is_file():
        raise DocsError(f"no warehouse at {warehouse}: run 'make build' first")
    out = (out or docs_folder(warehouse)).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DocsError(f"another run is generating the docs in {out}; wait for it", code=3) from None
        work = out / COPY_FOLDER
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            # Same file name: DuckDB names the database after it, and the views refer to that name. The same path
            # from one run to the next keeps dbt's parse cache in ``out`` valid.
            copy = work / warehouse.name
            log(f"docs: copying {warehouse}…")
            shutil.copyfile(warehouse, copy)
            log("docs: dbt docs generate…")
            _dbt_docs_generate(copy, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        described = describe_from_catalog(out)
        write_static(out)
    log(f"docs: written to {out} ({described} column descriptions taken from the database's comments)")
    return out


def _dbt_docs_generate(db_path: Path, out: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [
        str(dbt), "--no-use-colors", "docs", "generate",
        "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(out),
    ]  # fmt: skip
    env = dbt_env(db_path) | {"DBT_LOG_PATH": str(out / "logs")}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=DBT_DIR)
    if proc.returncode != 0 or not (out / "catalog.json").is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise DocsError(f"dbt docs generate failed (exit {proc.returncode}):\n{tail}")


def describe_from_catalog(out: Path) -> int:
    """Give the manifest the descriptions the database alone holds (codebook variables); return how many.

    A YAML description always wins; a table or column without one takes its comment from the catalogue.
    """
    manifest_path, catalog = out / "manifest.json", json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    count = 0
    for section in ("nodes", "sources"):
        for unique_id, relation in catalog.get(section, {}).items():
            node = manifest[section].get(unique_id)
            if node is None:
                continue
            if not node.get("description") and relation["metadata"].get("comment"):
                node["description"] = relation["metadata"]["comment"]
            columns = node.setdefault("columns", {})
            by_lower = {name.lower(): name for name in columns}
            for column in relation["columns"].values():
                comment = column.get("comment")
                if not comment:
                    continue
                key = by_lower.get(column["name"].lower())
                if key is None:
                    columns[column["name"]] = _column(column["name"], comment)
                    count += 1
                elif not columns[key].get("description"):
                    columns[key]["description"] = comment
                    count += 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return count


def _column(name: str, description: str) -> dict:
    """A manifest column entry, as dbt writes one for a column the YAML lists."""
    return {
        "name": name, "description": description, "meta": {}, "data_type": None, "constraints": [], "quote": None,
        "config": {"meta": {}, "tags": []}, "tags": [], "granularity": None, "doc_blocks": [],
    }  # fmt: skip


def write_static(out: Path) -> None:
    """``static_index.html``: the site with the manifest and catalogue inside (what ``dbt docs generate --static``
    writes, from the manifest as completed here), to open from the disk without a server."""
    index = (out / "index.html").read_text(encoding="utf-8")
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    catalog = (out / "catalog.json").read_text(encoding="utf-8")
    static = index.replace('"MANIFEST.JSON INLINE DATA"', manifest).replace('"CATALOG.JSON INLINE DATA"', catalog)
    (out / "static_index.html").write_text(static, encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path, port: int, host: str = "127.0.0.1", log: Callable[[str], None] = print) -> None:
    """Serve the docs folder on this machine until interrupted."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise DocsError(f"cannot serve on {host}:{port} ({exc.strerror}); try DOCS_PORT=<another port>", 3) from exc
    with server:
        log(f"docs: serving http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log("docs: stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path(os.environ.get("WAREHOUSE", "warehouse/survey.duckdb")))
    parser.add_argument("--out", type=Path, help="docs folder (default: docs/ beside the warehouse)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DOCS_PORT", "8080")))
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: this machine only)")
    parser.add_argument("--no-serve", action="store_true", help="generate only")
    args = parser.parse_args(argv)
    try:
        out = generate(args.warehouse, args.out)
        if not args.no_serve:
            serve(out, args.port, args.host)
    except DocsError as exc:
        print(f"docs: error: {exc}", file=sys.stderr)
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
