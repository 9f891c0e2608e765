"""The entry for the Dutch Algoritmeregister, written from the live configuration and the champion model."""

from __future__ import annotations

from datetime import UTC, datetime

from matcher import __version__
from matcher.matching.features import FEATURES
from matcher.service import Service


def register_entry(service: Service) -> str:
    """An entry for the Dutch Algoritmeregister, filled from the live configuration and champion model."""
    with service.db.connection() as conn:
        model = service.champion(conn)
        counts = conn.execute(
            """SELECT (SELECT count(*) FROM candidates WHERE status = 'active') AS candidates,
                      (SELECT count(*) FROM vacancies WHERE status = 'open') AS vacancies,
                      (SELECT count(*) FROM outcome_events) AS outcomes""").fetchone()
    assert counts is not None
    weights = "\n".join(f"| {f} | {w:+.2f} |" for f, w in zip(FEATURES, model.weights.tolist(), strict=True))
    s = service.settings
    return f"""# Algoritmeregister — werkmatch

*Gegenereerd op {datetime.now(UTC):%Y-%m-%d %H:%M} UTC uit de actuele configuratie (werkmatch {__version__}).*

| veld | inhoud |
|---|---|
| Naam | werkmatch — matching van werkzoekenden en vacatures |
| Organisatie | gemeente (afdeling Werk en Inkomen), met ketenpartners WSP en Scalabor |
| Status | in gebruik; model `{model.version}` |
| Publicatiecategorie | impactvol algoritme; hoog-risico AI-systeem onder de AI-verordening (bijlage III, 4: werkgelegenheid) |
| Korte omschrijving | Stelt voor een vacature een gerangschikte lijst kandidaten voor (en omgekeerd), met uitleg per factor. Een consulent beslist. |
| Doel | Meer en duurzamere plaatsingen: mensen in beeld brengen die passen, ook mensen uit *het bestand* (trede 0–2). |
| Menselijke tussenkomst | Elke lijst is advies. De consulent ziet per factor de bijdrage, kan afwijken en legt de uitkomst vast (ook zelfgemaakte matches). |
| Wettelijke basis | Participatiewet (re-integratietaak gemeente, art. 7); AVG art. 6 lid 1 sub e; bijzondere persoonsgegevens (functionele beperkingen) alleen voor zover nodig voor passende arbeid. |
| Gegevens | Pseudonieme kandidaatreferentie, postcode (4 cijfers), trede, uren, reisafstand, rijbewijzen, taal- en opleidingsniveau, vaardigheden, werkervaring, wensen, functionele beperkingen (geen diagnoses); vacatures van WSP en Scalabor. Nu: {counts['candidates']} actieve kandidaten, {counts['vacancies']} open vacatures, {counts['outcomes']} uitkomsten. |
| Niet gebruikt | naam, BSN, geboortedatum, geslacht, nationaliteit, afkomst, diagnoses. Monitoringkenmerken ({', '.join(s.monitoring_attributes) or 'geen'}) alleen voor eerlijkheidsrapportage, nooit als factor. |
| Werking | Haalbaarheid (beperkingen tegen eisen; ondersteuning als jobcarving maakt conflicten bespreekbaar), daarna een additief logistisch model over {len(FEATURES)} uitlegbare factoren. |
| Risicobeheer | Selectiekansen per groep in `matcher report`; een nieuw model wordt alleen automatisch in gebruik genomen als het beter is én geen groepsverschil groter maakt dan {s.fairness_max_gap:.0%}; audit-log van elke inzage; bewaartermijnen ({s.retention_inactive_days} dagen inactief, audit {s.audit_retention_days} dagen). |
| Impacttoetsen | DPIA: zie PRIVACY.md (startpunt); IAMA: nog uit te voeren door de gemeente. |
| Bronnen | Szeebra-export (kandidaten), WSP en Scalabor (vacatures), ESCO-classificatie van de Europese Commissie (optioneel). |

## Gewichten van het huidige model ({model.version})

| factor | gewicht |
|---|---:|
{weights}
"""
