"""``workbook-builder serve``: start the console on one machine and print the address to open."""

from __future__ import annotations

import errno
import signal
import socket
import sys
from pathlib import Path


def _interrupt(*_):
    raise KeyboardInterrupt


def serve(data: str, host: str = "127.0.0.1", port: int = 8000, db: str | None = None) -> int:
    from werkzeug.serving import make_server

    from .app import create_app, stop
    from .storage import StorageError
    try:
        Path(data).mkdir(parents=True, exist_ok=True)
        app = create_app(data, db)
    except StorageError as e:
        print(f"错误: {e}", file=sys.stderr)
        return 2
    except OSError:
        print(f"错误: 无法使用数据文件夹 {data}（没有写入权限或磁盘已满）", file=sys.stderr)
        return 2
    try:
        if port:  # said here in Chinese, before the server library says it in English
            with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        srv = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as e:
        stop(app)
        if isinstance(e, OSError) and (isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL):
            print(f"错误: 本机没有地址 {host}，请检查 --host", file=sys.stderr)
        else:
            print(f"错误: 端口 {port} 已被占用，请换一个端口（--port）", file=sys.stderr)
        return 2
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"绩效自评工作台已启动：请用浏览器打开 http://{shown}:{srv.server_port}/", flush=True)
    print(f"数据保存在 {Path(data).resolve()}；按 Ctrl+C 停止。", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        stop(app)
    print("已停止", flush=True)
    return 0
