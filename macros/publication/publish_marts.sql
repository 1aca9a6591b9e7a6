{#
    Publication: what downstream consumers read never mixes two runs (README, "What happens when...").

    dbt builds every mart into its own schema as usual: the working copy, which the tests check. At the end of a
    run (on-run-end, with dbt's `results`), this hook copies the published marts into the publication schema
    (var `publication_schema`; default <target schema>_published) only when every node of the run succeeded:
    no error, no failed error-severity test, nothing skipped. All of them are replaced together:
    - DuckDB: one transaction of CREATE OR REPLACE TABLE (DuckDB's DDL is transactional);
    - Snowflake: each DDL statement commits on its own, so the copies are built in <publication schema>__next
      and exchanged with the publication schema by one ALTER SCHEMA ... SWAP WITH, which is atomic;
    - the Snowflake emulator (make test-snowflake) can do neither: there the tables are replaced one by one.

    The published marts are the models the exposures depend on (models/marts/activation/_activation__exposures.yml):
    what Marketing Cloud, the CRM and the dashboard read. Each published copy carries two more columns: `run_id`
    (the dbt invocation that built it) and `published_at`. The working copy has neither, so two builds on
    unchanged data still give identical marts.

    <publication schema>.publication_status holds one row: the last published run, the last attempt and its
    outcome, and `is_stale` (the last run that selected published marts did not publish them). A run that
    selects none of the published marts (dbt seed, dbt test, a staging-only run) leaves it alone.
#}

{% macro publish_marts(results) -%}
    {%- if not execute or flags.EMPTY -%}{{ return('') }}{%- endif -%}
    {%- set published = published_model_nodes() -%}
    {%- set published_ids = published | map(attribute='unique_id') | list -%}
    {%- set selected = selected_resources | select('in', published_ids) | list -%}
    {%- if not selected -%}{{ return('') }}{%- endif -%}

    {%- set failed = [] -%}
    {%- set skipped = [] -%}
    {%- set succeeded = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('success', 'pass', 'warn', 'no-op') -%}
            {%- do succeeded.append(result.node.unique_id) -%}
        {%- elif result.status == 'skipped' -%}
            {%- do skipped.append(result.node.name) -%}
        {%- else -%}
            {%- do failed.append(result.node.name ~ ' (' ~ result.status ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Skipped nodes are counted, not named: after a failure (or with --fail-fast) they can be hundreds. -#}
    {%- if skipped -%}
        {%- do failed.append((skipped | length) ~ ' nodes skipped') -%}
    {%- endif -%}
    {%- set not_built = [] -%}
    {%- for node in published if node.unique_id not in succeeded -%}
        {%- do not_built.append(node.name) -%}
    {%- endfor -%}

    {%- set previous = publication_status_previous() -%}
    {%- set now = modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- set attempt = {
        'run_id': invocation_id,
        'run_started_at': run_started_at.strftime('%Y-%m-%d %H:%M:%S'),
        'at': now,
    } -%}

    {%- if failed -%}
        {%- set attempt_status = 'failed: ' ~ (failed | join(', ')) -%}
    {%- elif not_built -%}
        {%- set attempt_status = 'not published: this run did not build ' ~ (not_built | join(', ')) -%}
    {%- else -%}
        {%- set attempt_status = 'published' -%}
    {%- endif -%}

    {%- if attempt_status != 'published' -%}
        {%- if previous.last_published_run_id -%}
            {%- do log('publication kept from run ' ~ previous.last_published_run_id ~ ' at '
                       ~ previous.last_published_at ~ ' UTC: this run ' ~ attempt_status, info=true) -%}
        {%- else -%}
            {%- do log('nothing published yet: this run ' ~ attempt_status, info=true) -%}
        {%- endif -%}
        {%- set status = publication_status_row(previous, attempt, attempt_status, true) -%}
        {{ return(adapter.dispatch('keep_publication', 'cdp_identity')(status)) }}
    {%- endif -%}

    {%- set status = publication_status_row({
        'last_published_run_id': invocation_id,
        'last_published_run_started_at': attempt.run_started_at,
        'last_published_at': now,
        'published_models': published | map(attribute='name') | join(', '),
    }, attempt, attempt_status, false) -%}
    {%- do log('publishing ' ~ (published | length) ~ ' marts from run ' ~ invocation_id ~ ' into schema '
               ~ publication_schema() ~ ': ' ~ (published | map(attribute='name') | join(', ')), info=true) -%}
    {{ return(adapter.dispatch('swap_publication', 'cdp_identity')(published, status, now)) }}
{%- endmacro %}


{% macro publication_schema() -%}
    {{ return(var('publication_schema', '') or (target.schema ~ '_published')) }}
{%- endmacro %}


{% macro publication_relation(identifier, schema=none) -%}
    {{ return(api.Relation.create(database=target.database, schema=schema or publication_schema(),
                                  identifier=identifier)) }}
{%- endmacro %}


{% macro published_model_nodes() -%}
    {#- The models the exposures depend on, in name order. -#}
    {%- set ids = [] -%}
    {%- for exposure in graph.exposures.values() if exposure.package_name == project_name -%}
        {%- for unique_id in exposure.depends_on.nodes if unique_id not in ids -%}
            {%- do ids.append(unique_id) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set nodes = [] -%}
    {%- for unique_id in ids | sort -%}
        {%- do nodes.append(graph.nodes[unique_id]) -%}
    {%- endfor -%}
    {{ return(nodes | sort(attribute='name')) }}
{%- endmacro %}


{% macro publication_status_previous() -%}
    {#- The last published run as publication_status holds it (empty values when nothing was published yet). -#}
    {%- set previous = {'last_published_run_id': none, 'last_published_run_started_at': none,
                        'last_published_at': none, 'published_models': none} -%}
    {#- (run_query opens no transaction: the hook's own statements below may begin one.) -#}
    {%- set relation = publication_relation('publication_status') -%}
    {%- set found = run_query("select count(*) from information_schema.tables "
                              ~ "where lower(table_catalog) = lower('" ~ relation.database ~ "') "
                              ~ "and lower(table_schema) = lower('" ~ relation.schema ~ "') "
                              ~ "and lower(table_name) = 'publication_status'") -%}
    {%- if found.rows[0][0] > 0 -%}
        {%- set table = run_query('select last_published_run_id, last_published_run_started_at, last_published_at, '
                                  ~ 'published_models from ' ~ relation.render()) -%}
        {#- By position: Snowflake returns the column names in upper case. -#}
        {%- for row in table.rows -%}
            {%- for key in ['last_published_run_id', 'last_published_run_started_at', 'last_published_at',
                            'published_models'] -%}
                {%- set value = row[loop.index0] -%}
                {%- do previous.update({key: value if value is none or value is string
                                        else value.strftime('%Y-%m-%d %H:%M:%S')}) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(previous) }}
{%- endmacro %}


{% macro publication_literal(value, data_type) -%}
    {%- if value is none -%}
        {{ return('cast(null as ' ~ data_type ~ ')') }}
    {%- endif -%}
    {{ return('cast(' ~ "'" ~ (value | string | replace("'", "''")) ~ "'" ~ ' as ' ~ data_type ~ ')') }}
{%- endmacro %}


{% macro publication_status_row(published, attempt, attempt_status, is_stale) -%}
    {#- A select of the one row of publication_status. -#}
    {%- set text, stamp = dbt.type_string(), dbt.type_timestamp() -%}
    {%- set sql -%}
    select
        {{ publication_literal(published.last_published_run_id, text) }} as last_published_run_id,
        {{ publication_literal(published.last_published_run_started_at, stamp) }} as last_published_run_started_at,
        {{ publication_literal(published.last_published_at, stamp) }} as last_published_at,
        {{ publication_literal(published.published_models, text) }} as published_models,
        {{ publication_literal(attempt.run_id, text) }} as last_attempt_run_id,
        {{ publication_literal(attempt.run_started_at, stamp) }} as last_attempt_run_started_at,
        {{ publication_literal(attempt.at, stamp) }} as last_attempt_ended_at,
        {{ publication_literal(attempt_status, text) }} as last_attempt_status,
        {{ 'true' if is_stale else 'false' }} as is_stale
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}


{% macro published_copy_sql(node, now) -%}
    {#- The working copy of a published mart, with the run it came from. -#}
    select
        *,
        {{ publication_literal(invocation_id, dbt.type_string()) }} as run_id,
        {{ publication_literal(now, dbt.type_timestamp()) }} as published_at
    from {{ api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias).render() }}
{%- endmacro %}


{#
    The statements below are the hook's SQL: dbt runs them after the last node, outside any transaction, and
    reports the hook as failed (the run fails) when one of them fails.
#}

{# A failed or partial run: the published marts stay; only the status row changes. #}
{% macro default__keep_publication(status) -%}
    {%- set relation = publication_relation('publication_status') -%}
    create schema if not exists {{ relation.without_identifier().render() }};
    create or replace table {{ relation.render() }} as {{ status }};
{%- endmacro %}


{% macro publication_replace_sql(published, status, now) -%}
    {#- Every published mart and the status row, replaced in place. -#}
    {% for node in published -%}
    create or replace table {{ publication_relation(node.alias).render() }} as {{ published_copy_sql(node, now) }};
    {% endfor -%}
    create or replace table {{ publication_relation('publication_status').render() }} as {{ status }};
{%- endmacro %}


{# DuckDB: the replacements in one transaction (DuckDB's DDL is transactional): all of them or, when one
   statement fails, none. #}
{% macro default__swap_publication(published, status, now) -%}
    create schema if not exists {{ publication_relation('publication_status').without_identifier().render() }};
    begin transaction;
    {{ publication_replace_sql(published, status, now) }}
    commit;
{%- endmacro %}


{# Snowflake: DDL commits implicitly, so the new publication is built beside the old one and the two schemas are
   exchanged by one atomic ALTER SCHEMA ... SWAP WITH; the old publication is dropped after. #}
{% macro snowflake__swap_publication(published, status, now) -%}
    {%- if is_snowflake_emulator() -%}
        {#- The emulator can neither swap schemas (DuckDB, underneath, has no schema rename) nor create several
            tables in one transaction (it records each table's metadata in a second database, and a DuckDB
            transaction writes to one database only): there, the replacements one after the other. -#}
        {%- set sql -%}
        create schema if not exists {{ publication_relation('publication_status').without_identifier().render() }};
        {{ publication_replace_sql(published, status, now) }}
        {%- endset -%}
        {{ return(sql) }}
    {%- endif -%}
    {%- set live = publication_relation('publication_status').without_identifier() -%}
    {%- set next_schema = publication_schema() ~ '__next' -%}
    {%- set next = publication_relation('publication_status', next_schema).without_identifier() -%}
    create schema if not exists {{ live.render() }};
    create or replace schema {{ next.render() }};
    {% for node in published -%}
    create table {{ publication_relation(node.alias, next_schema).render() }} as {{ published_copy_sql(node, now) }};
    {% endfor -%}
    create table {{ publication_relation('publication_status', next_schema).render() }} as {{ status }};
    alter schema {{ live.render() }} swap with {{ next.render() }};
    drop schema {{ next.render() }};
{%- endmacro %}
