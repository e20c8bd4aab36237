// The version tracedoctor reports and records in each source it stores.

public enum TraceDoctorVersion {
    public static let current = "0.1.0"
}
