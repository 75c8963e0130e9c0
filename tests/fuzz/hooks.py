"""schemathesis hooks for the API fuzz run (loaded through SCHEMATHESIS_HOOKS).

The document uploads (PUT /v1/documents/{sha256}, application/pdf) and the
workbook import (POST /v1/import/xlsx) take raw bytes: send the generated
bytes as they are, like application/octet-stream.
"""

import schemathesis

schemathesis.serializer.alias(
    [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
    "application/octet-stream",
)
