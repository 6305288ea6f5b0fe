-- One row per skill of the skills framework in force, in framework order.
-- Key: skill_id
-- name_ja is provisional when provisional_ja: every page and report showing it shows the note.
with skills as (
    select * from ref.skills
),

final as (
    select
        skill_id,
        framework_version,
        position,
        name_ja,
        name_en,
        max_step,
        provisional_ja,
        note_ja,
        note_en,
    from skills
)

select * from final
