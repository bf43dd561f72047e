"""Languages of the interface: which one a request gets, and the interface's own words.

Spanish is the annex's language and the default; English is a translation. A visitor's explicit
choice (the `lang` cookie set by /lang/<code>) beats the browser's Accept-Language: the rule is
the core's (`oas_ssm.server.conneg.page_language`), shared with documents and error pages.
"""

from __future__ import annotations

from ..conneg import LANG_COOKIE as COOKIE  # noqa: F401 - the views set it
from ..conneg import LANGS, page_language


def select_lang(request) -> str:
    """The page language of a Flask request (the core's rule: cookie, Accept-Language, es)."""
    return page_language(request.headers.get("Cookie"), request.headers.get("Accept-Language"))


def other_lang(lang: str) -> str:
    return "en" if lang == "es" else "es"


# The interface's words. Keys are stable identifiers; templates call t("key").
STRINGS: dict[str, dict[str, str]] = {
    # The Secretariat's acronym in the page's language (the OAS's own English: SMS).
    "brand_acronym": {"es": "SSM", "en": "SMS"},
    "site_name": {"es": "SSM · Datos enlazados", "en": "SMS · Linked data"},
    "site_long": {
        "es": "Secretaría de Seguridad Multidimensional — Anexo E como datos enlazados",
        "en": "Secretariat for Multidimensional Security — Annex E as linked data",
    },
    "skip": {"es": "Saltar al contenido", "en": "Skip to content"},
    "nav_home": {"es": "Inicio", "en": "Home"},
    "nav_annex": {"es": "Anexo E", "en": "Annex E"},
    "nav_ontology": {"es": "Ontología", "en": "Ontology"},
    "nav_sparql": {"es": "Consulta SPARQL", "en": "SPARQL query"},
    "nav_main": {"es": "Navegación principal", "en": "Main navigation"},
    "search": {"es": "Buscar", "en": "Search"},
    "search_label": {
        "es": "Buscar unidades, puestos, funciones u órganos",
        "en": "Search units, posts, functions or bodies",
    },
    "search_placeholder": {
        "es": "p. ej. lavado, CICTE, drogas",
        "en": "e.g. laundering, CICTE, drugs",
    },
    "switch_to": {"es": "English", "en": "Español"},
    "switch_label": {"es": "Read this page in English", "en": "Leer esta página en español"},
    "breadcrumb": {"es": "Ruta", "en": "Breadcrumb"},
    "iri": {"es": "IRI", "en": "IRI"},
    "type": {"es": "Tipo", "en": "Type"},
    "acronym": {"es": "Sigla", "en": "Acronym"},
    "name_other": {"es": "Nombre en inglés", "en": "Name in Spanish"},
    "data_formats": {"es": "Esta descripción en RDF", "en": "This description as RDF"},
    "definition": {"es": "Definición", "en": "Definition"},
    "editorial_note": {"es": "Nota editorial", "en": "Editorial note"},
    "head_post": {"es": "A cargo de", "en": "Headed by"},
    "subunits": {"es": "Dependencias", "en": "Units within it"},
    "areas": {"es": "Áreas de trabajo", "en": "Areas of work"},
    "posts": {"es": "Puestos", "en": "Posts"},
    "post_facts": {"es": "El puesto", "en": "The post"},
    "hierarchy": {"es": "Línea jerárquica", "en": "Reporting line"},
    "provisions_count": {"es": "Disposiciones del anexo", "en": "Provisions of the annex"},
    "reports_to": {"es": "responde a", "en": "reports to"},
    "heads": {"es": "dirige", "en": "heads"},
    "acts_in_absence": {"es": "sustituye en ausencia a", "en": "acts in the absence of"},
    "substituted_by": {"es": "Le sustituye en ausencia", "en": "Acts in its absence"},
    "reported_by": {"es": "Le responden", "en": "Reporting to this post"},
    "rank": {"es": "Rango", "en": "Rank"},
    "mission": {"es": "Misión", "en": "Mission"},
    "scope": {"es": "Ámbito de acción", "en": "Scope of action"},
    "office_of": {"es": "Es la oficina de", "en": "Is the office of"},
    "held_jointly": {"es": "Un titular, dos puestos", "en": "One holder, two posts"},
    "held_jointly_sentence": {"es": "Quien ocupa este puesto ocupa también el de",
                              "en": "Whoever holds this post also holds the post of"},
    "unofficial_translation_note": {
        "es": "Traducción al inglés no oficial; el texto en español es el auténtico.",
        "en": "Unofficial English translation; the Spanish text is authoritative."},
    "post_in": {"es": "Puesto en", "en": "Post in"},
    "functions": {"es": "Funciones", "en": "Functions"},
    "function_of": {"es": "Función de", "en": "Function of"},
    "in_area": {"es": "Área de trabajo", "en": "Area of work"},
    "verbatim": {
        "es": "Texto del anexo (español, auténtico)",
        "en": "Text of the annex (Spanish, authentic)",
    },
    "translation": {
        "es": "Traducción al inglés (no oficial)",
        "en": "English translation (unofficial)",
    },
    "unofficial": {"es": "traducción no oficial", "en": "unofficial translation"},
    "no_translation": {"es": "Sin traducción disponible.", "en": "No translation available."},
    "relations": {"es": "Relaciones que establece el anexo", "en": "Relations stated in the annex"},
    "relations_in": {"es": "Relaciones hacia este recurso", "en": "Relations pointing here"},
    "threats": {
        "es": "Amenazas y preocupaciones que atiende",
        "en": "Threats and concerns addressed",
    },
    "subjects": {"es": "Temas", "en": "Subjects"},
    "addressed_by": {"es": "Unidades con este propósito", "en": "Units with this purpose"},
    "functions_on": {"es": "Funciones sobre este tema", "en": "Functions on this subject"},
    "derived_from": {"es": "Disposiciones de origen", "en": "Derived from provisions"},
    "in_annex": {"es": "ver en el anexo", "en": "see in the annex"},
    "provision_text": {"es": "Texto", "en": "Text"},
    "part_of": {"es": "Forma parte de", "en": "Part of"},
    "parts": {"es": "Subdivisiones", "en": "Subdivisions"},
    "derived_here": {
        "es": "Recursos derivados de esta disposición",
        "en": "Resources derived from this provision",
    },
    "stated_here": {"es": "Relaciones establecidas aquí", "en": "Relations stated here"},
    "scheme": {"es": "Esquema", "en": "Scheme"},
    "broader": {"es": "Concepto más amplio", "en": "Broader concept"},
    "narrower": {"es": "Conceptos más específicos", "en": "Narrower concepts"},
    "concepts": {"es": "Conceptos", "en": "Concepts"},
    "other_props": {"es": "Otros datos", "en": "Other data"},
    "source": {"es": "fuente", "en": "source"},
    "home_title": {
        "es": "Secretaría de Seguridad Multidimensional",
        "en": "Secretariat for Multidimensional Security",
    },
    "chart_title": {"es": "Organigrama de la SSM", "en": "SMS organization chart"},
    "chart_desc": {
        "es": "Cada recuadro es una unidad (con su sigla y el puesto que la dirige) y enlaza a "
              "su página. Las flechas indican que el puesto que dirige una unidad responde al "
              "que dirige la superior; los recuadros punteados son áreas de trabajo, no "
              "unidades.",
        "en": "Each box is a unit (with its acronym and the post heading it) and links to its "
              "page. Arrows show that the post heading a unit reports to the one heading the "
              "unit above; dotted boxes are areas of work, not units.",
    },
    "chart_download": {"es": "Descargar el organigrama (SVG)", "en": "Download the chart (SVG)"},
    "chart_list": {"es": "El organigrama como lista", "en": "The chart as a list"},
    "legend_reports": {"es": "responde a", "en": "reports to"},
    "legend_area": {"es": "área de trabajo (no es unidad)", "en": "area of work (not a unit)"},
    "about_title": {"es": "Qué son estos datos", "en": "What this dataset is"},
    "about_text": {
        "es": "El Anexo E de la Orden Ejecutiva de la Secretaría General de la OEA establece la "
              "Secretaría de Seguridad Multidimensional: sus unidades, los puestos que las "
              "dirigen, a quién responden, los órganos a los que sirve y sus funciones "
              "numeradas. Aquí se publica exactamente eso como datos enlazados: cada unidad, "
              "puesto, función y párrafo tiene un IRI que se puede consultar. El texto en "
              "español es el auténtico; las traducciones al inglés no son oficiales.",
        "en": "Annex E of the OAS General Secretariat's Executive Order establishes the "
              "Secretariat for Multidimensional Security: its units, the posts heading them, "
              "whom they report to, the bodies it serves and its numbered functions. This site "
              "publishes exactly that as linked data: every unit, post, function and paragraph "
              "has an IRI you can look up. The Spanish text is authentic; English translations "
              "are unofficial.",
    },
    "query_title": {"es": "Cómo consultarlos", "en": "How to query it"},
    "query_text": {
        "es": "Cada IRI devuelve HTML a un navegador y RDF a un programa (negociación de "
              "contenido). El punto de acceso SPARQL responde consultas de solo lectura en JSON,"
              " XML, CSV o TSV.",
        "en": "Every IRI returns HTML to a browser and RDF to a program (content negotiation). "
              "The SPARQL endpoint answers read-only queries in JSON, XML, CSV or TSV.",
    },
    "open_editor": {"es": "Abrir el editor SPARQL", "en": "Open the SPARQL editor"},
    "dumps_title": {"es": "Descargas", "en": "Downloads"},
    "dumps_none": {
        "es": "Ver el punto de acceso y la descripción VoID.",
        "en": "See the endpoint and the VoID description.",
    },
    "void": {"es": "Descripción del conjunto de datos (VoID)", "en": "Dataset description (VoID)"},
    "ontology_title": {"es": "Ontología", "en": "Ontology"},
    "ontology_text": {
        "es": "Las clases y propiedades (alineadas con W3C ORG) están documentadas en",
        "en": "The classes and properties (aligned with W3C ORG) are documented at",
    },
    "licence_title": {"es": "Licencia", "en": "Licence"},
    "licence_text": {"es": "Los datos se publican bajo", "en": "The data is published under"},
    "counts": {"es": "Contenido", "en": "Contents"},
    "annex_title": {
        "es": "Anexo E — Secretaría de Seguridad Multidimensional",
        "en": "Annex E — Secretariat for Multidimensional Security",
    },
    "annex_intro": {
        "es": "El texto del anexo, párrafo por párrafo. Cada párrafo tiene su número como ancla "
              "y enlaza a los recursos que se derivan de él.",
        "en": "The annex, paragraph by paragraph (Spanish, authentic, with an unofficial English"
              " translation). Each paragraph has its number as an anchor and links to the "
              "resources derived from it.",
    },
    "annex_toc": {"es": "Índice", "en": "Contents"},
    "derived": {"es": "Deriva de aquí", "en": "Derived from here"},
    "permalink": {"es": "Enlace permanente", "en": "Permalink"},
    "search_title": {"es": "Búsqueda", "en": "Search"},
    "results_for": {"es": "Resultados para", "en": "Results for"},
    "no_results": {
        "es": "No se encontró nada. Pruebe con otra palabra o una sigla.",
        "en": "Nothing found. Try another word or an acronym.",
    },
    "search_hint": {
        "es": "Busque por nombre o sigla (en español o inglés, con o sin tildes) o por palabras "
              "del texto de las funciones.",
        "en": "Search by name or acronym (Spanish or English, accents optional) or by words of "
              "the functions' text.",
    },
    "matched_text": {"es": "en el texto", "en": "in the text"},
    "group_unit": {"es": "Unidades", "en": "Units"},
    "group_post": {"es": "Puestos", "en": "Posts"},
    "group_body": {"es": "Órganos", "en": "Bodies"},
    "group_function": {"es": "Funciones", "en": "Functions"},
    "group_other": {"es": "Otros recursos", "en": "Other resources"},
    "onto_classes": {"es": "Clases", "en": "Classes"},
    "onto_properties": {"es": "Propiedades", "en": "Properties"},
    "onto_diagram": {
        "es": "Diagrama de las clases principales",
        "en": "Diagram of the main classes",
    },
    "onto_diagram_desc": {
        "es": "Arriba, la jerarquía de clases: cada subclase bajo su superclase, con una flecha "
              "de punta hueca hacia ella; los recuadros punteados son clases de vocabularios "
              "reutilizados (ORG, ELI). Abajo, las relaciones principales: dominio → rango.",
        "en": "Above, the class hierarchy: each sub-class under its super-class, with a "
              "hollow-headed arrow to it; dotted boxes are classes of reused vocabularies (ORG, "
              "ELI). Below, the main relations: domain → range.",
    },
    "onto_relations": {
        "es": "Relaciones principales (dominio → rango)",
        "en": "Main relations (domain → range)",
    },
    "onto_meta": {"es": "Metadatos", "en": "Metadata"},
    "domain": {"es": "Dominio", "en": "Domain"},
    "range": {"es": "Rango", "en": "Range"},
    "superclasses": {"es": "Superclases", "en": "Super-classes"},
    "subclasses": {"es": "Subclases", "en": "Sub-classes"},
    "superproperties": {"es": "Superpropiedades", "en": "Super-properties"},
    "inverse": {"es": "Inversa", "en": "Inverse"},
    "alignment": {"es": "Alineación", "en": "Alignment"},
    "label_es": {"es": "Etiqueta (es)", "en": "Label (es)"},
    "label_en": {"es": "Etiqueta (en)", "en": "Label (en)"},
    "def_es": {"es": "Definición (es)", "en": "Definition (es)"},
    "def_en": {"es": "Definición (en)", "en": "Definition (en)"},
    "kind": {"es": "Clase de término", "en": "Kind of term"},
    "kind_Class": {"es": "Clase", "en": "Class"},
    "kind_ObjectProperty": {"es": "Propiedad de objeto", "en": "Object property"},
    "kind_DatatypeProperty": {"es": "Propiedad de datos", "en": "Datatype property"},
    "kind_AnnotationProperty": {"es": "Propiedad de anotación", "en": "Annotation property"},
    "char_TransitiveProperty": {"es": "transitiva", "en": "transitive"},
    "char_SymmetricProperty": {"es": "simétrica", "en": "symmetric"},
    "char_FunctionalProperty": {"es": "funcional", "en": "functional"},
    "char_InverseFunctionalProperty": {"es": "funcional inversa", "en": "inverse functional"},
    "char_AsymmetricProperty": {"es": "asimétrica", "en": "asymmetric"},
    "char_IrreflexiveProperty": {"es": "irreflexiva", "en": "irreflexive"},
    "sparql_title": {"es": "Consulta SPARQL", "en": "SPARQL query"},
    "sparql_intro": {
        "es": "Escriba una consulta SPARQL 1.1 de solo lectura o elija un ejemplo. El editor "
              "completa prefijos (Ctrl+Espacio).",
        "en": "Write a read-only SPARQL 1.1 query or pick an example. The editor completes "
              "prefixes (Ctrl+Space).",
    },
    "examples": {"es": "Preguntas de ejemplo", "en": "Example questions"},
    "query_label": {"es": "Consulta", "en": "Query"},
    "run": {"es": "Ejecutar", "en": "Run"},
    "results": {"es": "Resultados", "en": "Results"},
    "results_table": {"es": "Tabla de resultados", "en": "Results table"},
    "download": {"es": "Descargar", "en": "Download"},
    "rows": {"es": "filas", "en": "rows"},
    "row": {"es": "fila", "en": "row"},
    "running": {"es": "Ejecutando…", "en": "Running…"},
    "error": {"es": "Error", "en": "Error"},
    "boolean_result": {"es": "Respuesta", "en": "Answer"},
    "yes": {"es": "sí", "en": "yes"},
    "no": {"es": "no", "en": "no"},
    "no_examples": {"es": "No hay ejemplos disponibles.", "en": "No examples available."},
    "format": {"es": "Formato del resultado", "en": "Result format"},
    "html_table": {"es": "Tabla HTML (esta página)", "en": "HTML table (this page)"},
    "noscript_hint": {
        "es": "Sin JavaScript, el formulario envía la consulta y muestra o descarga el resultado"
              " en el formato elegido.",
        "en": "Without JavaScript, the form sends the query and shows or downloads the result in"
              " the chosen format.",
    },
    "footer_data": {
        "es": "Datos: Anexo E de la Orden Ejecutiva de la OEA.",
        "en": "Data: Annex E of the OAS Executive Order.",
    },
    "not_found": {"es": "No encontrado", "en": "Not found"},
    "not_found_text": {
        "es": "No hay ninguna página ni recurso en esta dirección:",
        "en": "There is no page or resource at this address:",
    },
    "not_found_hint": {
        "es": "Pruebe a buscar lo que necesita, o vaya al organigrama, al anexo o a la ontología.",
        "en": "Try searching for what you need, or go to the chart, the annex or the ontology.",
    },
    "error_title": {"es": "Error", "en": "Error"},
    "error_text": {
        "es": "No se pudo atender la solicitud.",
        "en": "The request could not be served.",
    },
    # the relations a page shows, and the statements behind them
    "this_unit": {"es": "esta unidad", "en": "this unit"},
    "this_organization": {"es": "esta organización", "en": "this organization"},
    "this_body": {"es": "este órgano", "en": "this body"},
    "this_post": {"es": "este puesto", "en": "this post"},
    "this_instrument": {"es": "este instrumento", "en": "this instrument"},
    "this_observatory": {"es": "este observatorio", "en": "this observatory"},
    "this_area": {"es": "esta área de trabajo", "en": "this area of work"},
    "this_concept": {"es": "este concepto", "en": "this concept"},
    "this_scheme": {"es": "este esquema", "en": "this scheme"},
    "this_function": {"es": "esta función", "en": "this function"},
    "this_provision": {"es": "esta disposición", "en": "this provision"},
    "this_resource": {"es": "este recurso", "en": "this resource"},
    "statement": {"es": "enunciado", "en": "statement"},
    "statement_of": {"es": "Enunciado", "en": "Statement"},
    "statement_intro": {
        "es": "Una relación que establece el anexo, con las disposiciones que la establecen.",
        "en": "A relation the annex states, with the provisions that state it.",
    },
    "subject": {"es": "Sujeto", "en": "Subject"},
    "predicate": {"es": "Propiedad", "en": "Property"},
    "object": {"es": "Objeto", "en": "Object"},
    "stated_in": {"es": "Disposiciones que la establecen", "en": "Provisions stating it"},
    "note": {"es": "Nota", "en": "Note"},
    "original_es": {"es": "original en español", "en": "Spanish original"},
    "translation_en": {"es": "traducción al inglés", "en": "English translation"},
    "function_facts": {"es": "La función", "en": "The function"},
    "top_concepts": {"es": "Conceptos principales", "en": "Top concepts"},
    "top_concept_of": {"es": "Concepto principal de", "en": "Top concept of"},
    "members": {"es": "Otros conceptos del esquema", "en": "Other concepts in the scheme"},
    "group_concept": {"es": "Amenazas y preocupaciones", "en": "Threats and concerns"},
    "sparql_endpoint": {"es": "Punto de acceso SPARQL", "en": "SPARQL endpoint"},
    "ssm_units": {
        "es": "unidades de la SSM (incluida la propia SSM)",
        "en": "units of the SMS (the SMS included)",
    },
    "engine_error": {
        "es": "La consulta no es válida o no se pudo ejecutar. Mensaje del motor SPARQL (en "
              "inglés):",
        "en": "The query is not valid or could not be run. The SPARQL engine says:",
    },
    "chart_scroll_hint": {
        "es": "Deslice para ver más del organigrama →",
        "en": "Swipe to see more of the chart →",
    },
    "graph_formats": {"es": "Grafo (CONSTRUCT, DESCRIBE)", "en": "Graph (CONSTRUCT, DESCRIBE)"},
    "table_formats": {"es": "Tabla (SELECT, ASK)", "en": "Table (SELECT, ASK)"},
    "dataset": {"es": "Conjunto de datos", "en": "Dataset"},
    "partition_classes": {"es": "Recursos por clase", "en": "Resources by class"},
    "partition_properties": {"es": "Tripletas por propiedad", "en": "Triples by property"},
    "class": {"es": "Clase", "en": "Class"},
    "property": {"es": "Propiedad", "en": "Property"},
    "instances": {"es": "Recursos", "en": "Resources"},
    "triples": {"es": "Tripletas", "en": "Triples"},
    "search_site": {"es": "Búsqueda en el sitio", "en": "Site search"},
    "search_page": {"es": "Búsqueda", "en": "Search"},
}


def translate(key: str, lang: str) -> str:
    """The interface string `key` in `lang` (falls back to Spanish, then to the key itself)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry.get(LANGS[0]) or key


# Names of terms from vocabularies we reuse, for when the store holds no label for them.
TERM_LABELS: dict[str, tuple[str, str]] = {
    "http://www.w3.org/ns/org#subOrganizationOf": ("depende de", "sub-organization of"),
    "http://www.w3.org/ns/org#hasSubOrganization":
        ("tiene como dependencia", "has sub-organization"),
    "http://www.w3.org/ns/org#transitiveSubOrganizationOf":
        ("depende (transitivamente) de", "transitive sub-organization of"),
    "http://www.w3.org/ns/org#unitOf": ("unidad de", "unit of"),
    "http://www.w3.org/ns/org#hasUnit": ("tiene la unidad", "has unit"),
    "http://www.w3.org/ns/org#postIn": ("puesto en", "post in"),
    "http://www.w3.org/ns/org#hasPost": ("tiene el puesto", "has post"),
    "http://www.w3.org/ns/org#reportsTo": ("responde a", "reports to"),
    "http://www.w3.org/ns/org#purpose": ("propósito", "purpose"),
    "http://www.w3.org/ns/org#classification": ("clasificación", "classification"),
    "http://www.w3.org/ns/org#Organization": ("Organización", "Organization"),
    "http://www.w3.org/ns/org#FormalOrganization": ("Organización formal", "Formal organization"),
    "http://www.w3.org/ns/org#OrganizationalUnit": ("Unidad organizativa", "Organizational unit"),
    "http://www.w3.org/ns/org#Post": ("Puesto", "Post"),
    "http://www.w3.org/2004/02/skos/core#Concept": ("Concepto", "Concept"),
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": ("Esquema de conceptos", "Concept scheme"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("en el esquema", "in scheme"),
    "http://www.w3.org/2004/02/skos/core#broader": ("más amplio", "broader"),
    "http://www.w3.org/2004/02/skos/core#narrower": ("más específico", "narrower"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("concepto principal de", "top concept of"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept":
        ("tiene el concepto principal", "has top concept"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("deriva de", "derived from"),
    "http://purl.org/dc/terms/subject": ("tema", "subject"),
    "http://purl.org/dc/terms/isPartOf": ("forma parte de", "is part of"),
    "http://purl.org/dc/terms/hasPart": ("tiene como parte", "has part"),
    "http://purl.org/dc/terms/license": ("Licencia", "Licence"),
    "http://purl.org/dc/terms/source": ("Fuente", "Source"),
    "http://purl.org/dc/terms/title": ("Título", "Title"),
    "http://purl.org/dc/terms/description": ("Descripción", "Description"),
    "http://purl.org/dc/terms/created": ("Creado", "Created"),
    "http://purl.org/dc/terms/modified": ("Modificado", "Modified"),
    "http://purl.org/dc/terms/issued": ("Publicado", "Issued"),
    "http://purl.org/dc/terms/creator": ("Autor", "Creator"),
    "http://purl.org/dc/terms/publisher": ("Editor", "Publisher"),
    "http://purl.org/dc/terms/contributor": ("Colaborador", "Contributor"),
    "http://purl.org/dc/terms/rights": ("Derechos", "Rights"),
    "http://purl.org/dc/terms/conformsTo": ("Conforme a", "Conforms to"),
    "http://purl.org/dc/terms/format": ("Formato", "Format"),
    "http://purl.org/dc/terms/bibliographicCitation":
        ("Cita bibliográfica", "Bibliographic citation"),
    "http://www.w3.org/2002/07/owl#versionInfo": ("Versión", "Version"),
    "http://www.w3.org/2002/07/owl#versionIRI": ("IRI de versión", "Version IRI"),
    "http://www.w3.org/2002/07/owl#priorVersion": ("Versión anterior", "Prior version"),
    "http://www.w3.org/2002/07/owl#imports": ("Importa", "Imports"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("Etiqueta", "Label"),
    "http://www.w3.org/2000/01/rdf-schema#comment": ("Comentario", "Comment"),
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": ("Véase también", "See also"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("nombre", "name"),
    "http://www.w3.org/2004/02/skos/core#altLabel":
        ("sigla o nombre corto", "acronym or short name"),
    "http://www.w3.org/2004/02/skos/core#notation": ("notación", "notation"),
    "http://www.w3.org/2004/02/skos/core#definition": ("definición", "definition"),
    "http://www.w3.org/2004/02/skos/core#editorialNote": ("nota editorial", "editorial note"),
    "http://www.w3.org/2004/02/skos/core#note": ("nota", "note"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("tipo", "type"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject": ("sujeto", "subject"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate": ("propiedad", "predicate"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#object": ("objeto", "object"),
    "http://data.europa.eu/eli/ontology#number": ("número", "number"),
    "http://data.europa.eu/eli/ontology#title": ("título", "title"),
    "http://purl.org/vocab/vann/preferredNamespacePrefix":
        ("Prefijo del espacio de nombres", "Namespace prefix"),
    "http://purl.org/vocab/vann/preferredNamespaceUri": ("Espacio de nombres", "Namespace"),
    "http://rdfs.org/ns/void#triples": ("Tripletas", "Triples"),
    "http://rdfs.org/ns/void#entities": ("Entidades", "Entities"),
    "http://rdfs.org/ns/void#distinctSubjects": ("Sujetos distintos", "Distinct subjects"),
    "http://rdfs.org/ns/void#distinctObjects": ("Objetos distintos", "Distinct objects"),
    "http://rdfs.org/ns/void#properties": ("Propiedades", "Properties"),
    "http://rdfs.org/ns/void#classes": ("Clases", "Classes"),
    "http://rdfs.org/ns/void#sparqlEndpoint": ("Punto de acceso SPARQL", "SPARQL endpoint"),
    "http://rdfs.org/ns/void#uriSpace": ("Espacio de IRI", "IRI space"),
    "http://rdfs.org/ns/void#vocabulary": ("Vocabularios", "Vocabularies"),
    "http://rdfs.org/ns/void#feature": ("Formatos", "Formats"),
    "http://rdfs.org/ns/void#rootResource": ("Recurso raíz", "Root resource"),
    "http://rdfs.org/ns/void#exampleResource": ("Recurso de ejemplo", "Example resource"),
    "http://rdfs.org/ns/void#dataDump": ("Volcados de datos", "Data dumps"),
    "http://rdfs.org/ns/void#classPartition": ("Clases", "Classes"),
    "http://rdfs.org/ns/void#propertyPartition": ("Propiedades", "Properties"),
    "http://www.w3.org/ns/dcat#landingPage": ("Página de inicio", "Landing page"),
    "http://www.w3.org/ns/dcat#distribution": ("Distribuciones", "Distributions"),
    "http://www.w3.org/ns/dcat#Dataset": ("Conjunto de datos", "Dataset"),
    "http://data.europa.eu/eli/ontology#is_part_of": ("forma parte de", "is part of"),
    "http://data.europa.eu/eli/ontology#has_part": ("tiene como parte", "has part"),
    "http://data.europa.eu/eli/ontology#LegalResourceSubdivision":
        ("Subdivisión de recurso jurídico", "Legal resource subdivision"),
    "http://www.w3.org/2002/07/owl#Class": ("Clase", "Class"),
    "http://www.w3.org/2002/07/owl#ObjectProperty": ("Propiedad de objeto", "Object property"),
    "http://www.w3.org/2002/07/owl#DatatypeProperty": ("Propiedad de datos", "Datatype property"),
    "http://www.w3.org/2002/07/owl#AnnotationProperty":
        ("Propiedad de anotación", "Annotation property"),
    "http://rdfs.org/ns/void#Dataset": ("Conjunto de datos", "Dataset"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement": ("Enunciado", "Statement"),
}
