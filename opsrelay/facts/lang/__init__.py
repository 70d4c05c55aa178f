"""Language vocabularies of QA documents (one YAML file per language); see opsrelay.facts.vocab."""
