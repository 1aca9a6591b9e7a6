-- One row describing the current identity graph: volumes, consolidation, cluster sizes, edges by method,
-- guard and review activity; and, when ground truth is present (synthetic data), accuracy against it:
-- pairwise precision/recall/F1 over record pairs, B-cubed precision/recall, and the share of real people
-- whose records form exactly one cluster.

with links as (
    select * from {{ ref('int_identity_records__linked') }}
),

edges as (
    select * from {{ ref('int_identity_edges__resolved') }}
),

review_queue as (
    select * from {{ ref('int_identity_review_items__queued') }}
),

blocked as (
    select * from {{ ref('int_identity_identifiers__blocked') }}
),

truth as (
    select * from {{ ref('stg_evaluation__truth_records') }}
),

blocking as (
    select * from {{ ref('int_identity_blocking_recall') }}
),

cluster_sizes as (
    select
        unified_individual_id,
        count(*) as record_count
    from links
    group by unified_individual_id
),

volumes as (
    select
        sum(record_count) as record_count,
        count(*) as unified_individual_count,
        sum(case when record_count = 1 then 1 else 0 end) as singleton_count,
        sum(case when record_count between 2 and 5 then 1 else 0 end) as cluster_2_to_5_count,
        sum(case when record_count between 6 and 20 then 1 else 0 end) as cluster_6_to_20_count,
        sum(case when record_count > 20 then 1 else 0 end) as cluster_over_20_count,
        max(record_count) as largest_cluster_record_count
    from cluster_sizes
),

edge_counts as (
    select
        sum(case when is_used and match_method = 'deterministic' then 1 else 0 end) as deterministic_edge_count,
        sum(case when is_used and match_method = 'probabilistic' then 1 else 0 end) as probabilistic_edge_count,
        sum(case when is_used and match_method = 'manual_override' then 1 else 0 end) as manual_edge_count,
        sum(case when not is_used then 1 else 0 end) as cut_edge_count
    from edges
),

activity as (
    select
        (select count(*) from review_queue) as review_queue_count,
        (select count(*) from blocked) as blocked_identifier_count
),

labelled as (
    select
        links.unified_individual_id,
        truth.person_id
    from links
    inner join truth
        on links.identity_record_id = truth.identity_record_id
),

overlap as (
    select
        unified_individual_id,
        person_id,
        count(*) as record_count
    from labelled
    group by unified_individual_id, person_id
),

predicted as (
    select
        unified_individual_id,
        count(*) as record_count
    from labelled
    group by unified_individual_id
),

actual as (
    select
        person_id,
        count(*) as record_count
    from labelled
    group by person_id
),

pair_counts as (
    select
        (select count(*) from labelled) as labelled_record_count,
        (select count(*) from actual) as person_count,
        (select sum(record_count * (record_count - 1) / 2) from overlap) as true_positive_pairs,
        (select sum(record_count * (record_count - 1) / 2) from predicted) as predicted_pairs,
        (select sum(record_count * (record_count - 1) / 2) from actual) as actual_pairs,
        (
            select sum(overlap.record_count * overlap.record_count * 1.0 / predicted.record_count)
            from overlap
            inner join predicted on overlap.unified_individual_id = predicted.unified_individual_id
        ) as b_cubed_precision_sum,
        (
            select sum(overlap.record_count * overlap.record_count * 1.0 / actual.record_count)
            from overlap
            inner join actual on overlap.person_id = actual.person_id
        ) as b_cubed_recall_sum,
        (
            -- counted with a CASE, not a WHERE: as join conditions, the size equalities made DuckDB join on
            -- them (few distinct sizes, a huge intermediate result: 14 s instead of 0.1 s at 100,000 records)
            select
                coalesce(sum(
                    case
                        when overlap.record_count = predicted.record_count
                            and overlap.record_count = actual.record_count then 1
                        else 0
                    end
                ), 0)
            from overlap
            inner join predicted on overlap.unified_individual_id = predicted.unified_individual_id
            inner join actual on overlap.person_id = actual.person_id
        ) as exactly_resolved_person_count
),

accuracy as (
    select
        labelled_record_count,
        true_positive_pairs,
        predicted_pairs,
        actual_pairs,
        case when predicted_pairs > 0 then true_positive_pairs * 1.0 / predicted_pairs end as pairwise_precision,
        case when actual_pairs > 0 then true_positive_pairs * 1.0 / actual_pairs end as pairwise_recall,
        case when labelled_record_count > 0 then b_cubed_precision_sum / labelled_record_count end
            as b_cubed_precision,
        case when labelled_record_count > 0 then b_cubed_recall_sum / labelled_record_count end as b_cubed_recall,
        case when person_count > 0 then exactly_resolved_person_count * 1.0 / person_count end
            as exact_cluster_rate
    from pair_counts
),

final as (
    select
        cast(volumes.record_count as bigint) as record_count,
        cast(volumes.unified_individual_count as bigint) as unified_individual_count,
        cast(case when volumes.record_count > 0
                then 1 - volumes.unified_individual_count * 1.0 / volumes.record_count
        end as double) as consolidation_rate,
        cast(volumes.singleton_count as bigint) as singleton_count,
        cast(volumes.cluster_2_to_5_count as bigint) as cluster_2_to_5_count,
        cast(volumes.cluster_6_to_20_count as bigint) as cluster_6_to_20_count,
        cast(volumes.cluster_over_20_count as bigint) as cluster_over_20_count,
        cast(volumes.largest_cluster_record_count as bigint) as largest_cluster_record_count,
        cast(edge_counts.deterministic_edge_count as bigint) as deterministic_edge_count,
        cast(edge_counts.probabilistic_edge_count as bigint) as probabilistic_edge_count,
        cast(edge_counts.manual_edge_count as bigint) as manual_edge_count,
        cast(edge_counts.cut_edge_count as bigint) as cut_edge_count,
        cast(activity.review_queue_count as bigint) as review_queue_count,
        cast(activity.blocked_identifier_count as bigint) as blocked_identifier_count,
        cast(accuracy.labelled_record_count as bigint) as ground_truth_record_count,
        cast(accuracy.true_positive_pairs as double) as true_positive_pairs,
        cast(accuracy.predicted_pairs as double) as predicted_pairs,
        cast(accuracy.actual_pairs as double) as actual_pairs,
        accuracy.pairwise_precision,
        accuracy.pairwise_recall,
        case when accuracy.pairwise_precision + accuracy.pairwise_recall > 0
                then 2 * accuracy.pairwise_precision * accuracy.pairwise_recall
                    / (accuracy.pairwise_precision + accuracy.pairwise_recall)
        end as pairwise_f1,
        accuracy.b_cubed_precision,
        accuracy.b_cubed_recall,
        accuracy.exact_cluster_rate,
        blocking.blocking_recall,
        blocking.reachable_recall,
        cast({{ dbt.current_timestamp() }} as timestamp) as measured_at
    from volumes
    cross join edge_counts
    cross join activity
    cross join accuracy
    cross join blocking
)

select * from final
