"""Colour-vision check of the default map styles (issue 3): Sites and Terrains d'insertion must stay apart.

The map is rendered by QGIS with the styles the plugin applies (resources/styles), then seen
through the colour-vision-deficiency simulation of Machado, Oliveira & Fernandes (2009, severity 1,
applied to linear RGB) for protanopia, deuteranopia and tritanopia, and in greyscale (CIE luminance).
What is compared is the mean colour of each layer's pixels, in CIELAB.

Run as a script to write the picture the user guide shows:

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/qgis/colour_vision.py docs/img/styles-daltonisme.png
"""
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
from qgis.core import (QgsCoordinateTransform, QgsMapRendererSequentialJob, QgsMapSettings, QgsProject,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QRectF, QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

DEMO_DAY = date(2026, 11, 23)

# Machado, Oliveira & Fernandes, "A Physiologically-based Model for Simulation of Color Vision
# Deficiency", IEEE TVCG 15(6), 2009: matrices for severity 1.0, on linear RGB.
SIMULATIONS: Dict[str, np.ndarray] = {
    "Protanopie": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "Deutéranopie": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "Tritanopie": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
GREYSCALE = "Niveaux de gris"
NORMAL = "Vision normale"
VIEWS = [NORMAL] + list(SIMULATIONS) + [GREYSCALE]
LUMINANCE = np.array([0.2126, 0.7152, 0.0722])  # linear sRGB → CIE Y (D65)
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805],
                        [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
WHITE_XYZ = SRGB_TO_XYZ.sum(axis=1)


def to_linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB in 0..1 → linear light."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)


def seen_as(srgb: np.ndarray, view: str) -> np.ndarray:
    """The sRGB colours (…, 3) in 0..1 as a reader with that vision sees them."""
    if view == NORMAL:
        return srgb
    linear = to_linear(srgb)
    if view == GREYSCALE:
        grey = linear @ LUMINANCE
        return to_srgb(np.repeat(grey[..., None], 3, axis=-1))
    return to_srgb(linear @ SIMULATIONS[view].T)


def lab(srgb: np.ndarray) -> np.ndarray:
    """sRGB (…, 3) in 0..1 → CIELAB (D65)."""
    xyz = (to_linear(srgb) @ SRGB_TO_XYZ.T) / WHITE_XYZ
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def pixels(image: QImage) -> np.ndarray:
    """The image as an (h, w, 3) float array of sRGB in 0..1."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    buffer = image.constBits()
    buffer.setsize(image.sizeInBytes())
    bgra = np.frombuffer(buffer, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return bgra[:, :image.width(), 2::-1].astype(float) / 255


def image_of(srgb: np.ndarray) -> QImage:
    height, width, _ = srgb.shape
    bgra = np.empty((height, width, 4), np.uint8)
    bgra[..., 2::-1] = np.round(np.clip(srgb, 0, 1) * 255)
    bgra[..., 3] = 255
    return QImage(bgra.tobytes(), width, height, 4 * width, QImage.Format.Format_RGB32).copy()


def render(layers: List[QgsVectorLayer], extent: QgsRectangle, size: QSize, labels: bool = True) -> QImage:
    """The layers (first on top) as QGIS draws them, on white, in the project's CRS."""
    shown = {layer: layer.labelsEnabled() for layer in layers}
    for layer in layers:
        layer.setLabelsEnabled(labels and shown[layer])
    settings = QgsMapSettings()
    settings.setOutputSize(size)
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor(Qt.GlobalColor.white))
    settings.setDestinationCrs(QgsProject.instance().crs())
    settings.setLayers(layers)
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    for layer, enabled in shown.items():
        layer.setLabelsEnabled(enabled)
    return job.renderedImage()


def layer_colour(image: QImage) -> Tuple[np.ndarray, int]:
    """Mean sRGB colour of the pixels a layer drew (not background white), and how many there are."""
    srgb = pixels(image)
    drawn = np.any(srgb < 0.999, axis=-1)
    return srgb[drawn].mean(axis=0), int(drawn.sum())


def differences(sites: np.ndarray, terrains: np.ndarray) -> Dict[str, Tuple[float, float]]:
    """For each view: (ΔE*ab, ΔL*) between the two layers' mean colours as that reader sees them."""
    result = {}
    for view in VIEWS:
        a, b = lab(seen_as(sites, view)), lab(seen_as(terrains, view))
        result[view] = (float(np.linalg.norm(a - b)), float(abs(a[0] - b[0])))
    return result


def composite(rows: List[QImage]) -> QImage:
    """Each row seen by every reader: one column per view, its name above."""
    width, height = rows[0].width(), rows[0].height()
    caption, gap = 26, 6
    sheet = QImage(len(VIEWS) * (width + gap) - gap, len(rows) * (height + caption), QImage.Format.Format_RGB32)
    sheet.fill(QColor(Qt.GlobalColor.white))
    painter = QPainter(sheet)
    font = QFont("DejaVu Sans")
    font.setPixelSize(15)
    painter.setFont(font)
    for row, image in enumerate(rows):
        srgb = pixels(image)
        top = row * (height + caption)
        for column, view in enumerate(VIEWS):
            left = column * (width + gap)
            painter.setPen(QColor(Qt.GlobalColor.black))
            painter.drawText(QRectF(left, top, width, caption), int(Qt.AlignmentFlag.AlignCenter), view)
            painter.drawImage(left, top + caption, image_of(seen_as(srgb, view)))
            painter.setPen(QColor(120, 120, 120))
            painter.drawRect(left, top + caption, width - 1, height - 1)
    painter.end()
    return sheet


def around(layer: QgsVectorLayer, margin: float) -> QgsRectangle:
    """The extent of the layer's first feature in the project's CRS, grown by `margin` metres."""
    transform = QgsCoordinateTransform(layer.crs(), QgsProject.instance().crs(), QgsProject.instance())
    extent = transform.transformBoundingBox(next(layer.getFeatures()).geometry().boundingBox())
    extent.grow(margin)
    return extent


def demo_layers(folder: str) -> Dict[str, QgsVectorLayer]:
    """The Seine-Saint-Denis demo store in the project, styled as the plugin styles it on DEMO_DAY."""
    from plugin.demo.generator import generate
    from plugin.layers import loader
    from plugin.layers.styles import DEFAULT_STYLES, apply_dated_style
    from plugin.store import create_store
    store = create_store(str(Path(folder) / "demo.gpkg"))
    generate(store, departement="93", seed=7, as_of=DEMO_DAY)
    layers = loader.load_store(store, QgsProject.instance())
    apply_dated_style(layers["sites"], DEFAULT_STYLES["sites"], 6, today=DEMO_DAY)
    return layers


def render_extent(layers: List[QgsVectorLayer]) -> QgsRectangle:
    """The layers' full extent in the project's CRS, with a 5 % margin."""
    settings = QgsMapSettings()
    settings.setDestinationCrs(QgsProject.instance().crs())
    settings.setLayers(layers)
    extent = settings.fullExtent()
    extent.scale(1.05)
    return extent


def main(target: str) -> None:
    from qgis.core import QgsApplication
    application = QgsApplication([], False)
    application.initQgis()
    with tempfile.TemporaryDirectory() as folder:
        layers = demo_layers(folder)
        sites, terrains = layers["sites"], layers["insertion_sites"]
        size = QSize(300, 300)
        project_extent = render_extent([sites, terrains])
        rows = [render([sites, terrains], project_extent, size),
                render([sites, terrains], around(terrains, 1500), size)]
        composite(rows).save(target)
        sites_colour, _ = layer_colour(render([sites], project_extent, size, labels=False))
        terrains_colour, _ = layer_colour(render([terrains], project_extent, size, labels=False))
        for view, (delta_e, delta_l) in differences(sites_colour, terrains_colour).items():
            print("%-16s ΔE*ab %5.1f  ΔL* %5.1f" % (view, delta_e, delta_l))
        QgsProject.instance().removeAllMapLayers()

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(sys.argv[1])
