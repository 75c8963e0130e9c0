//! The sealed reply letter: sealing, checking with poppler/NSS/qpdf, and
//! every way a verifier must say no.

mod support;

mod certificate;
mod sealing;
mod tampering;
