/**
 * The batch core's public API: turning dropped folders and a CSV into a checked batch and,
 * later, the CSV that is uploaded. Hosts (CLI, Electron main, web host) import from here only.
 */
export { scanPaths, summarizeScan, classifyName, isHiddenOrSystem } from './scan'
export type { FolderScan, ScannedRecording, ScannedCsv, UnsafeLink } from './scan'
export { previewCsv, detectCsvFormat, detectDelimiter, PREVIEW_BYTES, PREVIEW_ROWS } from './preview'
export { detectEncoding } from './encoding'
export { readCsv } from './csv-reader'
export type { CsvReadHandlers, CsvReadOptions, CsvReadProblem } from './csv-reader'
export { suggestMapping, checkProfileFits, profileProblems, parseMappingProfile, loadMappingProfile, saveMappingProfile, findColumn } from './mapping'
export { convertDate, checkIsoDate, createDateConverter, isValidZone } from './dates'
export type { DateCheck, DateConverter } from './dates'
export { proposeDateFormat } from './date-format-proposal'
export { checkRecordingName } from './safe-path'
export { detectAudioFormat, audioMismatch } from './audio-sniff'
export { ISSUE_RULES, makeIssue, isBlocking } from './issue-codes'
export { DEFAULT_MAX_ISSUES_PER_CODE } from './issue-list'
export { validateBatch } from './validate'
export type { CheckedBatch, ValidateOptions, ValidateProgress } from './validate'
export { manifestToJson, manifestFromJson, eligibleRowNumbers } from './manifest'
export type { Manifest, ManifestJson, ManifestRecording } from './manifest'
export { writeUploadCsv, uploadCsvName, csvField, csvRecord, UPLOAD_CSV_EOL } from './upload-csv-writer'
