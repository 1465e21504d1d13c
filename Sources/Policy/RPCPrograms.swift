/// The reference's `rpc_programs` table (portmapper.bro, 129 entries): program number to
/// the name used in annotations, notices and `RPC_server_map`. Unknown numbers print as
/// `unknown-<decimal>`. Several numbers intentionally share one name (`inetray`, `cfsd`,
/// `nf_snmd`, `dmispd`); 391018–391063 are not listed.
public enum RPCPrograms {
    public static let defaultTable: [UInt32: String] = {
        var table: [UInt32: String] = [:]
        for (number, name) in entries { table[number] = name }
        return table
    }()

    /// Kept as a list (not a dictionary literal) so a duplicate key cannot slip in silently.
    static let entries: [(UInt32, String)] = [
        (200, "aarp"),
        (100000, "portmapper"), (100001, "rstatd"), (100002, "rusersd"), (100003, "nfs"),
        (100004, "ypserv"), (100005, "mountd"), (100007, "ypbind"), (100008, "walld"),
        (100009, "yppasswdd"), (100010, "etherstatd"), (100011, "rquotad"), (100012, "sprayd"),
        (100013, "3270_mapper"), (100014, "rje_mapper"), (100015, "selection_svc"),
        (100016, "database_svc"), (100017, "rexd"), (100018, "alis"), (100019, "sched"),
        (100020, "llockmgr"), (100021, "nlockmgr"), (100022, "x25.inr"), (100023, "statmon"),
        (100024, "status"), (100026, "bootparam"), (100028, "ypupdate"), (100029, "keyserv"),
        (100033, "sunlink_mapper"), (100036, "pwdauth"), (100037, "tfsd"), (100038, "nsed"),
        (100039, "nsemntd"), (100041, "pnpd"), (100042, "ipalloc"), (100043, "filehandle"),
        (100055, "ioadmd"), (100062, "NETlicense"), (100065, "sunisamd"), (100066, "debug_svc"),
        (100068, "cms"), (100069, "ypxfrd"), (100071, "bugtraqd"), (100078, "kerbd"),
        (100083, "tooltalkdb"), (100087, "admind"), (100099, "autofsd"),
        (100101, "event"), (100102, "logger"), (100104, "sync"), (100105, "diskinfo"),
        (100106, "iostat"), (100107, "hostperf"), (100109, "activity"), (100111, "lpstat"),
        (100112, "hostmem"), (100113, "sample"), (100114, "x25"), (100115, "ping"),
        (100116, "rpcnfs"), (100117, "hostif"), (100118, "etherif"), (100119, "ippath"),
        (100120, "iproutes"), (100121, "layers"), (100122, "snmp"), (100123, "traffic"),
        (100131, "layers2"), (100135, "etherif2"), (100136, "hostmem2"), (100137, "iostat2"),
        (100138, "snmpv2"), (100139, "sender"),
        (100221, "kcms"), (100227, "nfs_acl"), (100229, "metad"), (100230, "metamhd"),
        (100232, "sadmind"), (100233, "ufsd"), (100235, "cachefsd"), (100249, "snmpXdmid"),
        (100300, "nisd"), (100301, "nis_cache"), (100302, "nis_callback"), (100303, "nispasswd"),
        (120126, "nf_snmd"), (120127, "nf_snmd"),
        (150001, "pcnfsd"),
        (300004, "frameuser"), (300009, "stdfm"), (300019, "amd"),
        (300433, "bssd"), (300434, "drdd"), (300598, "dmispd"),
        (390100, "prestoctl_svc"),
        (390600, "arserverd"), (390601, "ntserverd"), (390604, "arservtcd"),
        (391000, "SGI_snoopd"), (391001, "SGI_toolkitbus"), (391002, "SGI_fam"),
        (391003, "SGI_notepad"), (391004, "SGI_mountd"), (391005, "SGI_smtd"),
        (391006, "SGI_pcsd"), (391007, "SGI_nfs"), (391008, "SGI_rfind"), (391009, "SGI_pod"),
        (391010, "SGI_iphone"), (391011, "SGI_videod"), (391012, "SGI_testcd"),
        (391013, "SGI_ha_hb"), (391014, "SGI_ha_nc"), (391015, "SGI_ha_appmon"),
        (391016, "SGI_xfsmd"), (391017, "SGI_mediad"),
        (545580417, "bwnfsd"),
        (555555554, "inetray.start"), (555555555, "inetray"), (555555556, "inetray"),
        (555555557, "inetray"), (555555558, "inetray"), (555555559, "inetray"),
        (555555560, "inetray"),
        (600100069, "fypxfrd"),
        (1342177279, "Solaris/CDE"),
        (805306368, "dmispd"), (824395111, "cfsd"), (1092830567, "cfsd"),
    ]
}
