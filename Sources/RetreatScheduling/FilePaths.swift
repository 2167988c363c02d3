/// Path arithmetic on plain strings. Foundation's `NSString.deletingLastPathComponent` traps on a
/// one-character last component (`x`, `-`, `a/`) in the toolchain we build with, so no path a person types
/// goes through it.
public enum FilePaths {
    /// The folder part of `path`, as `NSString.deletingLastPathComponent` defines it: `""` for a bare name,
    /// `"/"` for a file at the root, trailing slashes ignored.
    public static func folder(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        var folder = p[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// `name` inside `folder` (`name` alone when `folder` is empty).
    public static func join(_ folder: String, _ name: String) -> String {
        if folder.isEmpty { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
