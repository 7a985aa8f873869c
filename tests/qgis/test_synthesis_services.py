"""The Synthèse dock says how many open sites lie far from a school, over the territory it shows."""
import contextlib

from test_synthesis import point_blob, synthesis, wait_for  # noqa: F401 (the fixture)

from plugin.gui.synthesis_dock import DEPARTEMENT


def test_the_dock_shows_the_sites_far_from_a_school(synthesis):
    store, _, manager = synthesis
    dock = manager.synthesis_dock
    assert dock.services_label.isHidden()       # no service recorded: nothing to say
    with contextlib.closing(store.connect()) as connection:
        # a school at the « Canal » site; the three other open sites are 7 to 8 km away
        connection.execute("INSERT INTO services (category, name, geom) VALUES ('school', 'École', ?)",
                           (point_blob(2.3600, 48.9300),))
    dock.refresh()
    wait_for(dock)
    assert not dock.services_label.isHidden()
    assert dock.services_label.text() == "Sites à plus de 2 km d'une école : 3 sur 4"
    dock.territory_box.setCurrentIndex(dock.territory_box.findData(DEPARTEMENT))
    dock.place_box.setCurrentIndex(dock.place_box.findData("93"))
    wait_for(dock)
    assert dock.services_label.text() == "Sites à plus de 2 km d'une école : 2 sur 3"
