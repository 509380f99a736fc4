select
    source_file,
    source_sha256,
    wave,
    file_format,
    encoding,
    delimiter,
    rows_loaded,
    rows_rejected,
    ignored_columns,
    loaded_at
from {{ source('survey', 'files') }}
