"""Names of the worker's CloudWatch metrics (EMF), shared with the alarms in templates/.

The templates import these constants, so a metric renamed here is renamed in every alarm
and dashboard too (DESIGN.md §3, Metrics).
"""

NAMESPACE = "CISFileProcessor"
DIMENSION_ENVIRONMENT = "Environment"
DIMENSION_ERROR_CLASS = "ErrorClass"

FILES_PROCESSED = "FilesProcessed"
FILES_FAILED = "FilesFailed"
PROCESSING_TIME = "ProcessingTime"  # milliseconds per file
PAGES_PROCESSED = "PagesProcessed"
PAGES_OCRED = "PagesOCRed"
OCR_TIME = "OCRTime"  # milliseconds per file spent in Tesseract
EVENT_AGE = "EventAge"  # milliseconds from the S3 event to the document being written
BYTES_DOWNLOADED = "BytesDownloaded"

ALL = (
    FILES_PROCESSED,
    FILES_FAILED,
    PROCESSING_TIME,
    PAGES_PROCESSED,
    PAGES_OCRED,
    OCR_TIME,
    EVENT_AGE,
    BYTES_DOWNLOADED,
)
