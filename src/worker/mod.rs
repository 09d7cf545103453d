//! The analysis worker: the message protocol and the task functions it runs.
