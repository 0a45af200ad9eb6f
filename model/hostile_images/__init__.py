"""The hostile image corpus: pictures built to cost a decoder the most the endpoint's limits allow.

at_the_limits.py: the largest accepted pictures of every format and mode; metadata.py: valid pictures whose
metadata or structure costs far more than their pixels; cases.py: every named case of the image-cost benchmark
(model/bench/bench_image_cost.py measures them; the tests in model/tests decode them, and test_decode_property.py
mutates the metadata builders with generated parameters).
"""
