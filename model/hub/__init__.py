"""A model on the Hugging Face Hub, by name: the files inference needs, downloaded, verified and ready to package.

Used by model/scripts/package_model.py; never shipped in the tarball (only model/code is).
"""
