"""The data steward's review desk (`cdp review`): a local web app over a built database that works through
`identity_review_queue`, writes each decision where the build reads overrides, and rebuilds what they reach.

`desk` holds everything that is not the web: reading the queue and an item, validating a decision, and the rebuild;
`decisions` writes it (to `seeds/identity_overrides.csv`, or to the review desk's table on Snowflake); `app` is the
Flask app over it; `agreement` turns the decisions into labels (how often reviewers agreed with the model, per score
band).
"""
