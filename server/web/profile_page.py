"""The data profile's page: its resources, then each shape with its messages in both languages."""

from __future__ import annotations

from ..formats import RDF_FORMATS
from ..profile import PROFILE_PATH, Profile
from .render import CACHE, render

TEXT = {
    "es": {
        "title": "Perfil de datos de la SSM: formas SHACL",
        "lead": "Las restricciones que los datos cumplen antes de publicarse. Cada forma tiene "
        "su mensaje en español y en inglés; valídelas con cualquier procesador SHACL (con "
        "inferencia RDFS) o con `ssm validate`.",
        "resources": "Recursos del perfil", "role": "Función", "artifact": "Documento",
        "shapes": "Formas", "shape": "Forma", "targets": "Se aplica a", "path": "Ruta",
        "message_es": "Mensaje (español)", "message_en": "Mensaje (inglés)",
        "why": "Motivo", "sparql": "Restricción SPARQL",
        "no_es": "Solo en inglés: pySHACL pierde la etiqueta de idioma de los mensajes SPARQL, "
        "así que estas formas llevan un único mensaje.",
        "formats": "Descargas", "validation": "validación", "vocabulary": "vocabulario",
        "iri": "IRI",
    },
    "en": {
        "title": "SSM data profile: SHACL shapes",
        "lead": "The constraints the data meets before it is published. Each shape has its "
        "message in Spanish and English; validate with any SHACL processor (with RDFS "
        "inference) or with `ssm validate`.",
        "resources": "Resources of the profile", "role": "Role", "artifact": "Document",
        "shapes": "Shapes", "shape": "Shape", "targets": "Applies to", "path": "Path",
        "message_es": "Message (Spanish)", "message_en": "Message (English)",
        "why": "Why", "sparql": "SPARQL constraint",
        "no_es": "English only: pySHACL drops the language tag of SPARQL messages, so these "
        "shapes carry one message.",
        "formats": "Downloads", "validation": "validation", "vocabulary": "vocabulary",
        "iri": "IRI",
    },
}


def profile_page(profile: Profile, lang: str, prefix: str) -> str:
    """The profile page in `lang` (cached per language and served base)."""

    def make() -> str:
        here = f"{prefix}/{PROFILE_PATH}.html"
        formats = [(f.label, f.media_type, f"{prefix}/{PROFILE_PATH}{f.extension}")
                   for f in RDF_FORMATS]
        resources = [(role, prefix + "/" + artifact)
                     for role, artifact in (("validation", PROFILE_PATH + ".ttl"),
                                            ("vocabulary", "def/ssm.ttl"))]
        return render("profile.html", lang, prefix, here=here, nav="ontology",
                      p=profile, shapes=profile.shapes(), formats=formats, resources=resources,
                      x=TEXT[lang if lang in TEXT else "es"])

    return CACHE.get_or_render(("profile", lang, profile.base, prefix), make)
