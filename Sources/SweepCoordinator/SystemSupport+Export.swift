// CoordinatorService's API takes a SystemSupport.ShutdownSignal, and its files use the durable file
// writer and SHA256Hex: clients and every file here get SystemSupport with this module.
@_exported import SystemSupport
