"""Shared utilities with no knowledge of the data: the error type, the atomic writer, the bounded
reader of whole files, the JSONL reader, an iterator read ahead in a thread, the version. Every other
package may import these; they import nothing of the project.
"""
