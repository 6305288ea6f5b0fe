-- Bad rows: an area reporting more schools than it has registered (response rate over 100).
-- Incremental: academic_year
select
    area_level,
    area_code,
    academic_year,
    framework_version,
    schools_registered,
    schools_reporting,
    response_rate,
from marts.area_year_summary
where response_rate > 100
    or response_rate < 0
    or schools_reporting > schools_registered
