//! flight-server
