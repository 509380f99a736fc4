select
    source_file,
    source_sha256,
    wave,
    source_line,
    error_type,
    error_message,
    raw_text,
    loaded_at
from {{ source('survey', 'rejected_rows') }}
