-- One cluster, one unified ID: records of a cluster share one ID, and no ID spans two clusters.

with unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
    where is_current
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

joined as (
    select
        clusters.cluster_key,
        unified_ids.unified_individual_id
    from clusters
    inner join unified_ids
        on clusters.identity_record_id = unified_ids.identity_record_id
),

ids_per_cluster as (
    select
        cluster_key,
        count(distinct unified_individual_id) as id_count
    from joined
    group by cluster_key
),

clusters_per_id as (
    select
        unified_individual_id,
        count(distinct cluster_key) as cluster_count
    from joined
    group by unified_individual_id
)

select
    'cluster with several IDs' as problem,
    cluster_key as subject
from ids_per_cluster
where id_count > 1
union all
select
    'ID spanning several clusters' as problem,
    unified_individual_id as subject
from clusters_per_id
where cluster_count > 1
