-- The raw layer: what ingest writes. Append-only; nothing here is ever updated or deleted, so any
-- mart figure can be traced back to a file (ingest_log.archive_path) and a row in it.
create schema if not exists raw;

create sequence if not exists raw.file_seq start 1;

-- file_id, in every table of rows from files, is stored run-length encoded: it is one value for a
-- whole file, so DuckDB's default analysis of every compression for it (bit packing above all)
-- was work for nothing on each row group written. After the checkpoint it is a constant segment
-- either way (the warehouse's size is unchanged). The four large files of
-- benchmarks/bench_ingest.py: ingest 4.05 -> 3.88 s, CPU 6.8 -> 6.4 s (5 alternating runs).

-- One row per file ingest attempt (loaded, rejected or duplicate), in ingest order.
create table if not exists raw.ingest_log (
    file_id bigint primary key,        -- from raw.file_seq; orders resubmissions (newer wins)
    sha256 varchar not null,           -- of the file's bytes; the archive's content address
    original_name varchar not null,    -- file name as sent
    source_path varchar,               -- path given to ingest (or "upload:<name>")
    archive_path varchar,              -- relative to the archive folder; null when rejected
    kind varchar,                      -- schools | returns | activities | roster | criteria; null if unknown
    status varchar not null,           -- loaded | rejected | duplicate
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    reason_ja varchar,                 -- why the file was rejected or is a duplicate
    reason_en varchar,
    started_at timestamp not null,
    finished_at timestamp not null,
    ingested_by varchar                -- user e-mail or "cli"
);

-- schools: one row per school row loaded. Optional columns absent from a file are null; staging
-- takes, per school, the latest non-null value of each column (a later file updates what it names).
create table if not exists raw.schools (
    file_id bigint using compression rle not null,
    row_number integer not null,       -- the row as the sender sees it in Excel
    school_code varchar not null,
    school_name varchar not null,
    municipality_code varchar not null, -- 5 digits, check digit removed
    municipality_name varchar,
    hub_code varchar,
    hub_name varchar,
    enrolment integer
);

-- returns: one row per self-assessment loaded; scores are in raw.return_scores.
create table if not exists raw.returns (
    file_id bigint using compression rle not null,
    row_number integer not null,
    school_code varchar not null,
    academic_year integer not null,    -- 2025 = April 2025 to March 2026
    term integer not null,             -- 1..3 (前期 = 1, 後期 = 2)
    submitted_on date not null,
    framework_version varchar not null
);

-- One row per benchmark assessed in a return (not-assessed benchmarks have no row).
create table if not exists raw.return_scores (
    file_id bigint using compression rle not null,
    row_number integer not null,
    benchmark_id varchar not null,
    score double not null              -- 0..100, unrounded
);

-- One row per criterion answer loaded from a criteria-answer file (or the browser questionnaire,
-- which sends the same file). Its return is the raw.returns row (file_id, return_row_number);
-- benchmark scores are computed from the answers by the SQL models, not stored here.
create table if not exists raw.criterion_answers (
    file_id bigint using compression rle not null,
    row_number integer not null,
    return_row_number integer not null, -- the return's row_number in raw.returns
    criterion_id varchar not null,     -- normalised: Ｂ１－１ and b1-1 are B1-1
    answer varchar not null,           -- as written (after NFKC)
    score double not null              -- 0..100 from the answer and the criterion's kind
);

-- The browser questionnaire's drafts: one row per answer saved (append-only; the latest row per
-- school, year, term, framework version and criterion is the draft). Not a return: submitting
-- sends the draft as a criteria-answer file through ingest (pipelines/self_assessment.py).
create table if not exists raw.criteria_drafts (
    school_code varchar not null,
    academic_year integer not null,
    term integer not null,
    framework_version varchar not null,
    criterion_id varchar not null,
    answer varchar,                    -- null: the answer was cleared
    saved_at timestamp not null,
    saved_by varchar not null          -- user e-mail
);

-- student_ref is stored with zstd, not DuckDB's default dictionary + FSST: a column of nearly
-- unique references gains little from a dictionary, and building FSST tables for it was the
-- largest part of writing the rows. The four large files of benchmarks/bench_ingest.py: ingest
-- 4.6 -> 4.0 s (the bare load 2.4 s); the warehouse 79 -> 86 MB. (A warehouse made before keeps
-- the compression its tables were made with.)
create table if not exists raw.activities (
    file_id bigint using compression rle not null,
    row_number integer not null,
    school_code varchar not null,
    student_ref varchar using compression zstd not null,
    grade integer not null,
    activity_type varchar not null,    -- code from reference/activity_types.csv
    activity_date date not null,
    academic_year integer not null,    -- derived from activity_date (April to March)
    hours double,
    provider varchar
);

create table if not exists raw.roster (
    file_id bigint using compression rle not null,
    row_number integer not null,
    school_code varchar not null,
    academic_year integer not null,
    student_ref varchar using compression zstd not null,
    grade integer not null
);

-- One row per broken rule of a rejected data row (a row may break several).
create table if not exists raw.quarantine (
    file_id bigint using compression rle not null,
    row_number integer not null,
    column_name varchar,               -- header as written in the file; null for whole-row rules
    value varchar,                     -- the offending value as read
    rule varchar not null,             -- machine name of the rule, e.g. school_code_check_digit
    reason_ja varchar not null,
    reason_en varchar not null
);

-- Loaded rows that carry a warning (e.g. a check-digit mismatch when configured to warn).
create table if not exists raw.row_warnings (
    file_id bigint using compression rle not null,
    row_number integer not null,
    column_name varchar,
    value varchar,
    rule varchar not null,
    reason_ja varchar not null,
    reason_en varchar not null
);

-- The audit log: one row per event the dashboard spooled (pipelines/audit.py), imported by the
-- next build. Who (user_email; "anonymous" in open mode), when (occurred_at, UTC), what (action, target).
create table if not exists raw.audit_log (
    occurred_at timestamp not null,    -- when it happened, UTC
    user_email varchar not null,
    action varchar not null,           -- login | view_school | export | upload | denied | view_student
    target varchar,                    -- a school code, an export's file name, an upload's name
    detail varchar,
    spool_file varchar not null        -- the spool file it came from
);

-- How far each spool file has been imported, so every event lands exactly once.
create table if not exists raw.audit_imports (
    file_name varchar primary key,
    imported_bytes bigint not null
);

-- Essential-skills assessments (kind `skills`): one row per assessment row loaded; the steps are
-- in raw.skill_steps. The key of one assessment is (school, student, assessed_on, assessor,
-- skill): a repeat is a resubmission (the newer file, then the later row, wins; see the models).
create table if not exists raw.skill_assessments (
    file_id bigint using compression rle not null,
    row_number integer not null,
    school_code varchar not null,
    student_ref varchar using compression zstd not null,
    grade integer not null,
    assessed_on date not null,
    academic_year integer not null,    -- derived from assessed_on (April to March)
    assessor varchar not null,         -- teacher | self
    framework_version varchar not null -- the skills framework version in force at ingest
);

-- One row per skill assessed in an assessment row (a blank skill has no row).
create table if not exists raw.skill_steps (
    file_id bigint using compression rle not null,
    row_number integer not null,
    skill_id varchar not null,         -- an id of the skills framework
    step integer not null              -- 0 .. the skill's highest step
);

-- activities: whether the student was prepared for the activity (事前学習) and reflected on it
-- afterwards (振り返り); null = unknown (blank, or a file without the column). Added columns, so
-- a warehouse made before them gains them in place.
alter table raw.activities add column if not exists prepared boolean;
alter table raw.activities add column if not exists reflected boolean;

-- student links (生徒の引継ぎ): one row per link loaded, in ingest order (file, then row). A link
-- replaces every earlier link with the same from- or to-student (resolved by
-- intermediate.int_student_links); a link that would close a loop is quarantined at ingest.
create table if not exists raw.student_links (
    file_id bigint using compression rle not null,
    row_number integer not null,
    from_school_code varchar not null,
    from_student_ref varchar not null,
    to_school_code varchar not null,
    to_student_ref varchar not null,
    linked_on date not null
);
