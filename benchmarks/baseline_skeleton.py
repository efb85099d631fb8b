"""The raw baseline for "launch to first page shown": the smallest possible viewer.

Same logic as the reference's ``perf-reference/app_skeleton.py``: a
QMainWindow with a QLabel showing page 1, rendered by PyMuPDF in-process at
96 dpi, painted with ``win.grab()``, then quit. It is what this stack costs
before any design choice of ours (worker process, workspace, tabs,
thumbnails), so ``bench_viewer.py`` times it the same way as ``reviewer
--report-startup`` in the same run and reports the ratio.

Prints one JSON line: stage times in ms since this script's first line, and
the process's peak RSS (the memory baseline).

Usage: QT_QPA_PLATFORM=offscreen python baseline_skeleton.py PDF
"""

import json
import os
import sys
import time

t_script = time.perf_counter()
stages: dict[str, float] = {}
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# As the app does (reviewer.core.documents): never pull PyMuPDF 2.x's layout model.
sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
sys.modules.setdefault("pymupdf4llm", None)  # type: ignore[arg-type]
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QImage, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402


def ms() -> float:
    return round((time.perf_counter() - t_script) * 1000, 1)


stages["import_pyside6_ms"] = ms()
import pymupdf  # noqa: E402

stages["import_pymupdf_ms"] = ms()


def main() -> None:
    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    label = QLabel()
    win.setCentralWidget(label)
    win.resize(1000, 1100)
    stages["window_ms"] = ms()

    doc = pymupdf.open(sys.argv[1])
    pix = doc[0].get_pixmap(dpi=96)
    img = QImage(pix.samples_mv, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888)
    label.setPixmap(QPixmap.fromImage(img))  # fromImage copies: pix may go afterwards
    stages["open_render_page1_ms"] = ms()
    win.show()

    def done() -> None:
        win.grab()  # force a full paint of the window
        stages["first_page_ms"] = ms()
        import resource

        stages["peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1
        )
        print(json.dumps(stages), flush=True)
        app.quit()

    QTimer.singleShot(0, done)
    app.exec()


if __name__ == "__main__":
    main()
