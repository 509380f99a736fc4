select
    source_file,
    source_sha256,
    wave,
    file_format,
    encoding,
    delimiter,
    heading_format,
    answer_format,
    tick_format,
    wave_from,
    rows_loaded,
    rows_rejected,
    ignored_columns,
    loaded_at
from {{ source('survey', 'files') }}
