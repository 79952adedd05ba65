package io.github.flinktinybird.packaging;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class names a class file uses to link and load: its class constants, the descriptors of its
 * members and of what it calls, and its string constants (for {@code Class.forName} and resource
 * paths). Debug tables and annotations such as Kotlin's metadata are left out: they keep the
 * original names after relocation, but the JVM never resolves them.
 */
final class ClassReferences {
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([^;<>]+)[;<]");

    private ClassReferences() {}

    static Set<String> of(byte[] classFile) {
        try {
            return parse(new DataInputStream(new ByteArrayInputStream(classFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> parse(DataInputStream in) throws IOException {
        in.readInt(); // magic
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        List<Integer> descriptors = new ArrayList<>();
        List<Integer> strings = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: utf8[i] = in.readUTF(); break;
                case 7: classNames.add(in.readUnsignedShort()); break;
                case 8: strings.add(in.readUnsignedShort()); break;
                case 16: descriptors.add(in.readUnsignedShort()); break; // MethodType
                case 12: in.readUnsignedShort(); descriptors.add(in.readUnsignedShort()); break; // NameAndType
                case 3: case 4: case 9: case 10: case 11: case 17: case 18: in.readInt(); break;
                case 5: case 6: in.readLong(); i++; break;
                case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                case 19: case 20: in.readUnsignedShort(); break;
                default: throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        in.readUnsignedShort(); // access
        in.readUnsignedShort(); // this
        in.readUnsignedShort(); // super
        int interfaces = in.readUnsignedShort();
        for (int i = 0; i < interfaces; i++) {
            in.readUnsignedShort();
        }
        for (int kind = 0; kind < 2; kind++) { // fields, then methods
            int members = in.readUnsignedShort();
            for (int m = 0; m < members; m++) {
                in.readUnsignedShort(); // access
                in.readUnsignedShort(); // name
                descriptors.add(in.readUnsignedShort());
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    in.readUnsignedShort();
                    in.skipNBytes(in.readInt());
                }
            }
        }

        Set<String> names = new LinkedHashSet<>();
        for (int index : classNames) {
            String name = utf8[index];
            Matcher array = DESCRIPTOR_CLASS.matcher(name);
            names.add(name.startsWith("[") && array.find() ? array.group(1) : name);
        }
        for (int index : descriptors) {
            Matcher matcher = DESCRIPTOR_CLASS.matcher(utf8[index]);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        for (int index : strings) {
            names.add(utf8[index].replace('.', '/'));
        }
        return names;
    }
}
