-- Documents of a convention (the signed convention, contract, bulletins, amendments, the
-- authorising deliberation, RGPD evidence): their description here, their bytes in
-- document_contents (an object store may hold them instead).
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    convention_id TEXT NOT NULL REFERENCES conventions(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    caf_id TEXT NOT NULL REFERENCES cafs(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    deliberation_number TEXT,
    deliberation_adopted_on DATE,
    prefecture_acknowledgement TEXT,
    attached_by TEXT NOT NULL REFERENCES accounts(id),
    attached_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_by_convention ON documents (convention_id, id);
CREATE TABLE document_contents (
    document_id TEXT PRIMARY KEY NOT NULL REFERENCES documents(id),
    content BYTEA NOT NULL
);
